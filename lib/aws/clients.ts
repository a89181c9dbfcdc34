import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EKSClient, type EKSClientConfig } from '@aws-sdk/client-eks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/**
 * Where the EKS API of one cluster is reached: its account and Region, and the role to assume in that account.
 * The account is part of the target so that two clusters of one name in two accounts never share a client (and
 * so never reach the same cluster): a cluster is (account, Region, name) everywhere.
 */
export interface EksTarget {
  readonly accountId: string;
  readonly region: string;
  readonly roleArn?: string | undefined;
}

/** Builds (and caches) one EKS client per account, Region and role. */
export type EksClientFactory = (target: EksTarget) => EKSClient;

export interface AwsClientOptions {
  readonly eksEndpoint?: string | undefined;
  readonly dynamoEndpoint?: string | undefined;
  /** CloudWatch (the run's alarms): the simulator or moto_server locally; absent in AWS. */
  readonly cloudWatchEndpoint?: string | undefined;
  /** EventBridge (approval notices): moto_server in tests; absent in AWS. */
  readonly eventsEndpoint?: string | undefined;
  readonly region: string;
  /** Static credentials for local servers; absent in AWS (the default provider chain). */
  readonly credentials?: AwsCredentialIdentity;
  /** Where roles are assumed (STS): a local server in tests; absent in AWS (the Region's STS endpoint). */
  readonly stsEndpoint?: string | undefined;
  /**
   * Local servers only: the credentials that act in one account. The EKS simulator serves the clusters of the
   * account a 12-digit access key id names, as AWS serves those of the account a role's credentials belong to; it
   * has no STS, so a target's role is not assumed here. Absent in AWS: a target with a role is reached by assuming
   * it (STS), any other with `credentials` or the default chain (the deployment's own account).
   */
  readonly accountCredentials?: (accountId: string) => AwsCredentialIdentity;
}

/**
 * Credentials a local server takes as acting in `accountId`: the EKS simulator scopes every request to the account
 * its 12-digit access key id names, so each account's clusters are served separately.
 *
 * @example
 * createAwsClients({ region: 'us-east-1', eksEndpoint: sim.endpoint, accountCredentials: simulatorAccountCredentials })
 */
export const simulatorAccountCredentials = (accountId: string): AwsCredentialIdentity => ({ accessKeyId: accountId, secretAccessKey: 'simulator' });

/** An endpoint on this machine: an AWS endpoint (regional, FIPS, VPC) never is, whatever AWS_ENDPOINT_URL_* says. */
const isLoopback = (endpoint: string | undefined): boolean => {
  if (!endpoint) return false;
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
};

/** What every client's middleware stack offers (EKSClient, DynamoDBClient, CloudWatchClient alike). */
interface WithMiddlewareStack {
  readonly middlewareStack: { remove(toRemove: string): boolean };
}

/**
 * Drops two per-request steps that do nothing for a local server (the simulator, dynalite): the logger middleware
 * filters every input and output for a logger we never configure (the SDK's default is a no-op), and the
 * User-Agent header is read by neither server. Together about a tenth of a local request's client CPU (bench/).
 * Only for a loopback endpoint: a client that talks to AWS keeps its whole stack.
 */
function trimForLocalEndpoint(client: WithMiddlewareStack, endpoint: string | undefined): void {
  if (!isLoopback(endpoint)) return;
  client.middlewareStack.remove('loggerMiddleware');
  client.middlewareStack.remove('getUserAgentMiddleware');
}

/**
 * The one place AWS SDK clients are built: handlers, tests and the local runner differ only
 * in the endpoints and credentials they pass here.
 *
 * @example
 * const { eksFor, doc } = createAwsClients({ region: 'us-east-1', eksEndpoint: sim.endpoint, credentials });
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const eksClients = new Map<string, EKSClient>();
  const eksFor: EksClientFactory = ({ accountId, region, roleArn }) => {
    const key = `${accountId}|${region}|${roleArn ?? ''}`;
    let client = eksClients.get(key);
    if (!client) {
      const credentials = options.accountCredentials
        ? options.accountCredentials(accountId)
        : roleArn
        ? fromTemporaryCredentials({
            params: { RoleArn: roleArn, RoleSessionName: 'cni-fleet', DurationSeconds: 3600 },
            ...(options.credentials ? { masterCredentials: options.credentials } : {}),
            clientConfig: { region, ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}) },
          })
        : options.credentials;
      client = new EKSClient({
        region,
        ...(options.eksEndpoint ? { endpoint: options.eksEndpoint } : {}),
        ...(credentials ? { credentials } : {}),
      });
      trimForLocalEndpoint(client, options.eksEndpoint);
      eksClients.set(key, client);
    }
    return client;
  };
  const dynamo = new DynamoDBClient({
    region: options.region,
    ...(options.dynamoEndpoint ? { endpoint: options.dynamoEndpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  trimForLocalEndpoint(dynamo, options.dynamoEndpoint);
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  // The run's alarms live in the deployment's own account (its credentials), in the Region the run names.
  const cloudWatchClients = new Map<string, CloudWatchClient>();
  const cloudWatchFor: CloudWatchClientFactory = (region) => {
    let client = cloudWatchClients.get(region);
    if (!client) {
      client = new CloudWatchClient({
        region,
        ...(options.cloudWatchEndpoint ? { endpoint: options.cloudWatchEndpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
      trimForLocalEndpoint(client, options.cloudWatchEndpoint);
      cloudWatchClients.set(region, client);
    }
    return client;
  };
  let events: EventBridgeClient | undefined;
  const eventsClient = (): EventBridgeClient =>
    (events ??= new EventBridgeClient({
      region: options.region,
      ...(options.eventsEndpoint ? { endpoint: options.eventsEndpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    }));
  return { eksFor, dynamo, doc, cloudWatchFor, eventsClient };
}

/** Builds (and caches) one CloudWatch client per Region, in the deployment's own account. */
export type CloudWatchClientFactory = (region: string) => CloudWatchClient;

/** The clients `createAwsClients` builds. */
export interface AwsClients {
  readonly eksFor: EksClientFactory;
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly cloudWatchFor: CloudWatchClientFactory;
  /** The EventBridge client of the deployment's Region, built on first use. */
  readonly eventsClient: () => EventBridgeClient;
}

/**
 * The credentials provider an EKS client signs with: the same identity (region, assumed role) signs the cluster's
 * Kubernetes token (lib/kubernetes/eks-token.ts), so one access entry per role covers both.
 *
 * @example
 * const credentials = credentialsOf(eksFor({ accountId: '222233334444', region: 'us-east-1', roleArn }));
 */
export const credentialsOf = (eks: EKSClient): AwsCredentialIdentityProvider => () => eks.config.credentials();

/** What the command line passes for its clients: the AWS CLI's options, resolved (lib/operator/aws-cli-options.ts). */
export interface CliClientConfig {
  readonly region?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly logger?: EKSClientConfig['logger'];
}

/**
 * The EKS clients of a read-only command (`cni-fleet plan`): one per Region and role, each signing with the
 * operator's credentials (the profile's, through the SDK's chain) or, for another account, with the role assumed
 * from them — the same roles a run assumes.
 *
 * @example
 * const eksFor = createCliEksFactory({ profile: 'prod' });
 * eksFor({ region: 'eu-west-1', roleArn: 'arn:aws:iam::444455556666:role/cni-fleet-target' });
 */
export function createCliEksFactory(config: CliClientConfig): ((target: { readonly region: string; readonly roleArn?: string | undefined }) => EKSClient) & { destroy(): void } {
  // Keyed by Region and role: the operator's own account is whatever their credentials are, and a role names its account.
  const clients = new Map<string, EKSClient>();
  const factory = ({ region, roleArn }: { readonly region: string; readonly roleArn?: string | undefined }): EKSClient => {
    const key = `${region}|${roleArn ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      const base = { ...config, region };
      client = new EKSClient({
        ...base,
        ...(roleArn
          ? {
              credentials: fromTemporaryCredentials({
                params: { RoleArn: roleArn, RoleSessionName: 'cni-fleet-plan', DurationSeconds: 3600 },
                // STS keeps its own endpoint (AWS_ENDPOINT_URL_STS, the profile's): --endpoint-url is EKS's, as in the AWS CLI.
                clientConfig: { region, ...(config.profile ? { profile: config.profile } : {}), ...(config.logger ? { logger: config.logger } : {}) },
              }),
            }
          : {}),
      });
      clients.set(key, client);
    }
    return client;
  };
  return Object.assign(factory, { destroy: () => clients.forEach((c) => c.destroy()) });
}
