import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants, gzipSync } from 'node:zlib';
import type { EksOperation, FleetFile } from '../lib/fleet/fleet-file.js';
import { createVirtualClock, type VirtualClock } from './clock.js';
import { CLOUDWATCH_TARGET_PREFIX, cloudWatchRequest, type CloudWatchCall } from './cloudwatch/cloudwatch-api.js';
import { EksApiError } from './eks-api-error.js';
import { KUBERNETES_PATH, kubernetesEndpoint, kubernetesRequest, type KubernetesCall } from './kubernetes/kubernetes-api.js';
import type { KnownCredential } from './kubernetes/token-check.js';
import { takeRequestFault } from './faults.js';
import { MUTATING, OPERATIONS } from './operations/registry.js';
import { matchRoute } from './routes.js';
import { clusterView, type SimClusterView } from './views.js';
import { EKS_BODY_LIMIT, KUBERNETES_BODY_LIMIT, parseCredential, parseJsonBody, readBody, refuseTooLarge, RequestTooLargeError, sendError, sendJson } from './wire.js';
import { SimWorld, type RequestScope } from './world.js';

/** kube-apiserver compresses answers larger than this (defaultGzipThresholdBytes in k8s.io/apiserver). */
const KUBERNETES_GZIP_BYTES = 128 * 1024;

export type { VirtualClock } from './clock.js';
export type { EksOperation } from '../lib/fleet/fleet-file.js';
export type { SimAddonView, SimClusterView, SimUpdateView } from './views.js';
export type { AddonStatus, ClusterStatus, Existence, SimErrorDetail, SimIssue, SimUpdateParam, UpdateStatus } from './model.js';

/**
 * Both clients always sign with a region (docs/eks-behaviour.md#protocol-and-signing); an unsigned request (curl) is
 * taken as us-east-1.
 */
export const DEFAULT_REGION = 'us-east-1';

export interface StartSimulatorOptions {
  /** The fleet, already parsed and validated (lib/fleet/fleet-file.ts). */
  fleet: FleetFile;
  /** Virtual seconds per real second; default 20 (a 60 s update takes 3 s real). */
  speed?: number;
  /** 0 (default) = ephemeral. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Let the process exit while the server is open (tests). Default false. */
  unref?: boolean;
  /** A clock to run on instead of a new scaled one (the local runner's discrete-event time); `speed` is then unused. */
  clock?: VirtualClock;
  /** Keys whose secret the Kubernetes API's token check knows: it then verifies the signature. */
  knownCredentials?: readonly KnownCredential[];
}

/** One request as the simulator saw it. */
export interface SimCall {
  /** 1, 2, 3, … in arrival order. */
  readonly seq: number;
  /** Virtual epoch ms. */
  readonly at: number;
  /** From the SigV4 credential scope. */
  readonly region: string;
  /** The account a 12-digit access key id names; absent for a request that is not scoped to one account. */
  readonly accountId?: string;
  /** The cluster named in the path, if any. */
  readonly cluster?: string;
  readonly operation: EksOperation;
  /** CreateAddon, UpdateAddon, DeleteAddon. */
  readonly mutating: boolean;
  /** HTTP status answered. */
  readonly status: number;
  /** The error shape, when the answer was an error. */
  readonly errorType?: string;
  /** The add-on's status just before the request was handled (cluster requests). */
  readonly addonStatusBefore?: string;
  /** The add-on's version just before the request was handled (cluster requests with an add-on). */
  readonly addonVersionBefore?: string;
  /** CreateAddon/UpdateAddon: the `addonVersion` asked for, so tests can check each move against the version before it. */
  readonly requestedVersion?: string;
}

export interface CallFilter {
  cluster?: string;
  /** Only requests scoped to this account (a 12-digit access key id). */
  accountId?: string;
  operation?: EksOperation;
  mutating?: boolean;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT`, for `new EKSClient({ endpoint })` or `aws --endpoint-url`. */
  readonly endpoint: string;
  readonly clock: VirtualClock;
  /** Every request, in arrival order. */
  readonly calls: ReadonlyArray<SimCall>;
  /** Every request to a simulated cluster's Kubernetes API (not EKS calls: `calls` and `count` exclude them). */
  readonly kubernetesCalls: ReadonlyArray<KubernetesCall>;
  /** Every CloudWatch request (the fleet file's alarms), in arrival order. */
  readonly cloudWatchCalls: ReadonlyArray<CloudWatchCall>;
  /** An alarm's state now (`region` and `accountId` optional: the first alarm of that name otherwise). */
  alarm(name: string, region?: string, accountId?: string): { state: string; reason: string } | undefined;
  count(filter?: CallFilter): number;
  /** A deep copy of a cluster's state now; region and account optional (first cluster of that name otherwise). */
  cluster(name: string, region?: string, accountId?: string): SimClusterView | undefined;
  close(): Promise<void>;
}

/**
 * True when `host` is a loopback address or name (127.0.0.0/8, ::1, localhost): only this machine can reach a
 * simulator bound there. Anything else (0.0.0.0, ::, a LAN address) exposes an API that takes any credentials.
 *
 * @example
 * isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/** The `addonVersion` of a create/update request body, for the call log; undefined when absent or unreadable. */
function requestedVersionOf(text: string): string | undefined {
  try {
    const version = (JSON.parse(text) as { addonVersion?: unknown } | null)?.addonVersion;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the EKS API simulator: an HTTP server speaking EKS's restJson1 (docs/eks-behaviour.md) for the 11 add-on
 * operations and DescribePodIdentityAssociation, over the clusters of `fleet`, on a virtual clock.
 *
 * @example
 * const sim = await startSimulator({ fleet: parseFleetFile(text), speed: 1000 });
 * const eks = new EKSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials });
 * await eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
 * await sim.close();
 */
export async function startSimulator(options: StartSimulatorOptions): Promise<Simulator> {
  const clock = options.clock ?? createVirtualClock({ speed: options.speed ?? 20 });
  const world = new SimWorld(options.fleet, clock);
  const calls: SimCall[] = [];
  const kubernetesCalls: KubernetesCall[] = [];
  const cloudWatchCalls: CloudWatchCall[] = [];
  let base = '';

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const url = new URL(request.url ?? '/', 'http://simulator');
    const toKubernetes = url.pathname.startsWith(KUBERNETES_PATH);
    let text: string;
    try {
      text = await readBody(request, toKubernetes ? KUBERNETES_BODY_LIMIT : EKS_BODY_LIMIT);
    } catch (error) {
      if (!(error instanceof RequestTooLargeError)) throw error;
      if (toKubernetes) kubernetesCalls.push({ method: request.method ?? 'GET', cluster: '', path: url.pathname, status: 413 });
      refuseTooLarge(request, response, requestId, toKubernetes ? 'kubernetes' : 'eks', error.limitBytes);
      return;
    }
    if (toKubernetes) {
      const input = { method: request.method ?? 'GET', pathname: url.pathname, query: url.searchParams, authorization: request.headers.authorization };
      const answer = await kubernetesRequest(world, input, options.knownCredentials ?? [], Date.now());
      kubernetesCalls.push({ method: input.method, cluster: answer.cluster, path: answer.path, status: answer.status });
      // An unreachable endpoint answers nothing: the client sees its connection cut.
      if (answer.drop) return void request.socket.destroy();
      const json = Buffer.from(JSON.stringify(answer.body));
      // kube-apiserver gzips an answer above 128 KiB for a client that accepts it (APIResponseCompression, on by
      // default: https://kubernetes.io/docs/reference/command-line-tools-reference/feature-gates/).
      const gzip = json.length > KUBERNETES_GZIP_BYTES && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      const body = gzip ? gzipSync(json, { level: constants.Z_BEST_SPEED }) : json;
      response.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      response.end(body);
      return;
    }
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(CLOUDWATCH_TARGET_PREFIX)) {
      // CloudWatch (awsJson1_0): the alarms a run names (docs/simulator.md, "CloudWatch alarms").
      const credential = parseCredential(request.headers.authorization);
      const operation = target.slice(CLOUDWATCH_TARGET_PREFIX.length);
      const region = credential.region ?? DEFAULT_REGION;
      let body: Record<string, unknown> = {};
      try {
        body = text.trim() === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        // An unreadable body answers like any unknown parameter set: below, with the operation's own check.
      }
      const now = clock.now();
      const answer = cloudWatchRequest(world.alarms, operation, body, { region, accountId: /^\d{12}$/.test(credential.accessKeyId ?? '') ? credential.accessKeyId : undefined }, now);
      cloudWatchCalls.push({ at: now, operation, region, status: answer.status });
      const json = JSON.stringify(answer.body);
      response.writeHead(answer.status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(json),
        'x-amzn-requestid': requestId,
        ...(answer.queryError ? { 'x-amzn-query-error': answer.queryError } : {}),
      });
      response.end(json);
      return;
    }
    const route = matchRoute(request.method ?? 'GET', url.pathname);
    if (!route) {
      sendError(response, requestId, new EksApiError('UnknownOperationException', `No EKS operation at ${request.method} ${url.pathname}`));
      return;
    }
    const { operation, params } = route;
    const credential = parseCredential(request.headers.authorization);
    const region = credential.region ?? DEFAULT_REGION;
    // A 12-digit access key id names the account the caller acts in: a way to test per-account
    // fan-out with one simulator.
    const scope: RequestScope = { region, accountId: /^\d{12}$/.test(credential.accessKeyId ?? '') ? credential.accessKeyId : undefined };
    const now = clock.now();
    const cluster = params.clusterName !== undefined ? world.lookup(scope, params.clusterName) : undefined;
    const seq = calls.length + 1;
    const addonStatusBefore = cluster?.addon?.status;
    const addonVersionBefore = cluster?.addon?.settings.addonVersion;
    const requestedVersion = MUTATING.has(operation) ? requestedVersionOf(text) : undefined;
    let status = 200;
    let errorType: string | undefined;
    try {
      const fault = params.clusterName === undefined || cluster ? takeRequestFault(cluster ? [cluster] : world.listed(scope), operation, cluster) : undefined;
      if (fault) throw fault;
      const body = OPERATIONS[operation]({ world, scope, params, query: url.searchParams, body: parseJsonBody(text), now });
      // The cluster's Kubernetes API is served by this server (sim/kubernetes), so that is the endpoint it reports.
      if (operation === 'DescribeCluster' && cluster) (body.cluster as Record<string, unknown>).endpoint = kubernetesEndpoint(base, cluster);
      sendJson(response, requestId, body);
    } catch (error) {
      const apiError =
        error instanceof EksApiError ? error : new EksApiError('ServerException', `Simulator failure: ${(error as Error).message ?? String(error)}`);
      status = apiError.status;
      errorType = apiError.errorType;
      sendError(response, requestId, apiError);
    }
    calls.push({
      seq,
      at: now,
      region,
      ...(scope.accountId !== undefined ? { accountId: scope.accountId } : {}),
      ...(params.clusterName !== undefined ? { cluster: params.clusterName } : {}),
      operation,
      mutating: MUTATING.has(operation),
      status,
      ...(errorType !== undefined ? { errorType } : {}),
      ...(addonStatusBefore !== undefined ? { addonStatusBefore } : {}),
      ...(addonVersionBefore !== undefined ? { addonVersionBefore } : {}),
      ...(requestedVersion !== undefined ? { requestedVersion } : {}),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, randomUUID(), new EksApiError('ServerException', String(error)));
      else response.destroy();
    });
  });
  // The SDK keeps connections alive; without this a closing server would wait for them.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (options.unref) server.unref();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  base = `http://${host}:${address.port}`;

  return {
    endpoint: `http://${host}:${address.port}`,
    clock,
    calls,
    kubernetesCalls,
    cloudWatchCalls,
    alarm: (name, region, accountId) => {
      const found = world.alarms.alarms.find((a) => a.name === name && (region === undefined || a.region === region) && (accountId === undefined || a.accountId === accountId));
      if (!found) return undefined;
      const view = world.alarms.view(found, clock.now());
      return { state: view.state, reason: view.reason };
    },
    count: (filter = {}) =>
      calls.filter(
        (c) =>
          (filter.cluster === undefined || c.cluster === filter.cluster) &&
          (filter.accountId === undefined || c.accountId === filter.accountId) &&
          (filter.operation === undefined || c.operation === filter.operation) &&
          (filter.mutating === undefined || c.mutating === filter.mutating),
      ).length,
    cluster: (name, region, accountId) => {
      const found = world.find(name, region, accountId);
      return found ? clusterView(found) : undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
