import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { JsonObject } from '../json.js';
import { eksToken } from './eks-token.js';
import { kubeApi, type KubeGet } from './kube-api.js';

/** Where a cluster's Kubernetes API is, from DescribeCluster (`endpoint`, `certificateAuthority.data`). */
export interface ClusterEndpoint {
  readonly name: string;
  readonly region: string;
  /** `account/region/name`, the cluster's name in errors. */
  readonly key: string;
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  readonly certificateAuthority?: string | undefined;
  /** The IAM principal the API server sees (the access entry to create), for error messages. */
  readonly principal?: string | undefined;
}

/** The reads cni-fleet makes in a cluster: nothing else, and never a write (docs/rollout-gate.md, "Access"). */
export interface ClusterReader {
  /** `kube-system/aws-node` as plain JSON; undefined when it does not exist. */
  readDaemonSet(): Promise<JsonObject | undefined>;
  /** `kube-system/aws-node`; undefined when it does not exist. */
  readServiceAccount(): Promise<JsonObject | undefined>;
  /** True when at least one node matches the equality label selector. */
  anyNode(labelSelector: string): Promise<boolean>;
  /** The raw GET the reads above are made of (the rollout gate reads the DaemonSet and its pods with it). */
  readonly get: KubeGet;
}

/**
 * A read-only client of one cluster's Kubernetes API (lib/kubernetes/kube-api.ts), authenticated with an EKS token
 * signed by `credentials` — the same credentials the EKS client of that cluster uses (lib/aws/clients.ts).
 * Status 401/403 become KubernetesAccessError (the function's role has no access entry), 5xx and network errors
 * KubernetesUnavailableError (retried by the state machine), 404 an undefined result.
 *
 * @example
 * const reader = await connectCluster({ name, region, key, endpoint, certificateAuthority }, credentialsOf(eks));
 * const daemonSet = await reader.readDaemonSet();
 */
export async function connectCluster(cluster: ClusterEndpoint, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): Promise<ClusterReader> {
  const { token } = await eksToken({ clusterName: cluster.name, region: cluster.region, credentials });
  const authorised = kubeApi({ key: cluster.key, endpoint: cluster.endpoint, certificateAuthority: cluster.certificateAuthority, principal: cluster.principal, token });
  return {
    get: authorised,
    readDaemonSet: () => authorised('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node'),
    readServiceAccount: () => authorised('/api/v1/namespaces/kube-system/serviceaccounts/aws-node'),
    anyNode: async (labelSelector) => {
      const list = await authorised('/api/v1/nodes', { labelSelector, limit: '1' });
      return Array.isArray(list?.items) && list.items.length > 0;
    },
  };
}
