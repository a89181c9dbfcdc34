import { ApiException, AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { KubernetesAccessError, KubernetesUnavailableError } from '../errors.js';
import type { JsonObject } from '../store/json-value.js';
import { eksToken } from './eks-token.js';

/** Where a cluster's Kubernetes API is, from DescribeCluster (`endpoint`, `certificateAuthority.data`). */
export interface ClusterEndpoint {
  readonly name: string;
  readonly region: string;
  /** `account/region/name`, the cluster's name in errors. */
  readonly key: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  readonly certificateAuthority?: string | undefined;
}

/** The reads cni-fleet makes in a cluster: nothing else, and never a write (docs/self-managed.md, access entry). */
export interface ClusterReader {
  /** `kube-system/aws-node` as plain JSON; undefined when it does not exist. */
  readDaemonSet(): Promise<JsonObject | undefined>;
  /** `kube-system/aws-node`; undefined when it does not exist. */
  readServiceAccount(): Promise<JsonObject | undefined>;
  /** True when at least one node matches the equality label selector. */
  anyNode(labelSelector: string): Promise<boolean>;
}

const NAMESPACE = 'kube-system';
const AWS_NODE = 'aws-node';

// Plain HTTP is only for a simulator on this machine; a real EKS endpoint is always https with its CA.
const isLoopbackHttp = (endpoint: string): boolean => {
  const url = new URL(endpoint);
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
};

/** The API's typed objects back to the JSON the server sent (timestamps as ISO strings), for storing. */
const plain = (value: object): JsonObject => JSON.parse(JSON.stringify(value)) as JsonObject;

/**
 * A read-only client of one cluster's Kubernetes API (@kubernetes/client-node), authenticated with an EKS token
 * signed by `credentials` — the same credentials the EKS client of that cluster uses (lib/aws/clients.ts).
 * Status 401/403 become KubernetesAccessError (the function's role has no access entry), 5xx and network errors
 * KubernetesUnavailableError (retried by the state machine), 404 an undefined result.
 *
 * @example
 * const reader = await connectCluster({ name, region, key, endpoint, certificateAuthority }, credentialsOf(eks));
 * const daemonSet = await reader.readDaemonSet();
 */
export async function connectCluster(cluster: ClusterEndpoint, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): Promise<ClusterReader> {
  if (!cluster.endpoint) throw new KubernetesUnavailableError(cluster.key, 'DescribeCluster returned no endpoint');
  const { token } = await eksToken({ clusterName: cluster.name, region: cluster.region, credentials });
  const config = new KubeConfig();
  const skipTLSVerify = isLoopbackHttp(cluster.endpoint);
  config.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.endpoint, skipTLSVerify, ...(cluster.certificateAuthority && !skipTLSVerify ? { caData: cluster.certificateAuthority } : {}) }],
    users: [{ name: 'cni-fleet', token }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'cni-fleet' }],
    currentContext: cluster.name,
  });
  const apps = config.makeApiClient(AppsV1Api);
  const core = config.makeApiClient(CoreV1Api);
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ApiException) {
        const code = (error as ApiException<unknown>).code;
        if (code === 404) return undefined;
        if (code === 401 || code === 403) throw new KubernetesAccessError(cluster.key, code, what, { cause: error });
        throw new KubernetesUnavailableError(cluster.key, `${what}: HTTP ${code}`, { cause: error });
      }
      throw new KubernetesUnavailableError(cluster.key, `${what}: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    readDaemonSet: async () => {
      const ds = await call('get daemonset kube-system/aws-node', () => apps.readNamespacedDaemonSet({ name: AWS_NODE, namespace: NAMESPACE }));
      return ds ? plain(ds) : undefined;
    },
    readServiceAccount: async () => {
      const sa = await call('get serviceaccount kube-system/aws-node', () => core.readNamespacedServiceAccount({ name: AWS_NODE, namespace: NAMESPACE }));
      return sa ? plain(sa) : undefined;
    },
    anyNode: async (labelSelector) => {
      const list = await call(`list nodes ${labelSelector}`, () => core.listNode({ labelSelector, limit: 1 }));
      return (list?.items.length ?? 0) > 0;
    },
  };
}
