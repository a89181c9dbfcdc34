import { refusalError, selfManagedRefusal } from '../plan/cluster-decision.js';
import type { ClusterReader } from '../kubernetes/cluster-reader.js';
import type { JsonObject } from '../json.js';
import { installedVersion } from '../migration/installed-version.js';
import { archiveManifest, type ArchivedManifest } from '../migration/manifest-archive.js';
import { translateSelfManaged, type Translation } from '../migration/translate-settings.js';

/** What the snapshot keeps of a self-managed install: the manifests as found, and their translation. */
export interface SelfManagedInstall {
  /** The installed version from the aws-node image tag, e.g. `v1.15.1`. */
  readonly version: string;
  readonly image: string;
  readonly daemonSet: ArchivedManifest;
  readonly serviceAccount: ArchivedManifest | null;
  readonly translation: Translation;
}

const COMPUTE_TYPE = 'eks.amazonaws.com/compute-type';

const awsNodeImage = (daemonSet: JsonObject): string | undefined => {
  const spec = (daemonSet.spec as JsonObject | undefined)?.template as JsonObject | undefined;
  const containers = (spec?.spec as JsonObject | undefined)?.containers;
  const awsNode = Array.isArray(containers) ? (containers as JsonObject[]).find((c) => c.name === 'aws-node') : undefined;
  return typeof awsNode?.image === 'string' ? awsNode.image : undefined;
};

/**
 * Reads a cluster's self-managed vpc-cni through its Kubernetes API (read-only): the `aws-node` DaemonSet and
 * ServiceAccount in kube-system, and whether any node could run it.
 *
 * @throws ClusterSkippedError when there is nothing to migrate: no aws-node DaemonSet, Fargate-only, or an image tag
 *   that is not a vpc-cni version (selfManagedRefusal)
 * @throws KubernetesAccessError, KubernetesUnavailableError from the reads
 * @example
 * const install = await readSelfManaged(await connectCluster(endpoint, credentials), { name: 'payments-prod', key: '111122223333/us-east-1/payments-prod' });
 * install.version // 'v1.15.1'
 */
export async function readSelfManaged(reader: ClusterReader, cluster: { readonly name: string; readonly key: string }): Promise<SelfManagedInstall> {
  const clusterName = cluster.name;
  const daemonSet = await reader.readDaemonSet();
  // `!=` also matches nodes without the label (EC2 nodes); only when none exists is the cluster Fargate-only.
  const fargateOnly = daemonSet !== undefined && !(await reader.anyNode(`${COMPUTE_TYPE}!=fargate`)) && (await reader.anyNode(`${COMPUTE_TYPE}=fargate`));
  const image = daemonSet ? (awsNodeImage(daemonSet) ?? '') : '';
  const version = daemonSet ? installedVersion(image) : undefined;
  // The rules `cni-fleet plan` applies too (lib/plan/cluster-decision.ts).
  const refusal = selfManagedRefusal({ daemonSet: daemonSet !== undefined, fargateOnly, version, image });
  if (refusal) throw refusalError(cluster.key, refusal);
  if (!daemonSet || version === undefined) throw new Error('selfManagedRefusal lets no install without a DaemonSet or a version through');
  const serviceAccount = await reader.readServiceAccount();
  return {
    version,
    image,
    daemonSet: archiveManifest(daemonSet),
    serviceAccount: serviceAccount ? archiveManifest(serviceAccount) : null,
    translation: translateSelfManaged(daemonSet, serviceAccount, { clusterName, version }),
  };
}
