import type { FleetCluster, SelfManaged } from '../lib/fleet/fleet-file.js';
import { clusterStatus } from './lifecycle.js';
import type { AddonStatus, ClusterStatus, Existence, SimCluster, SimErrorDetail, SimIssue, SimUpdateParam, UpdateStatus } from './model.js';

/** A test's view of an Update object. Times are virtual epoch ms. */
export interface SimUpdateView {
  readonly id: string;
  readonly status: UpdateStatus;
  readonly type: string;
  readonly params: readonly SimUpdateParam[];
  readonly errors: readonly SimErrorDetail[];
  readonly createdAt: number;
}

/** A test's view of the managed add-on. Times are virtual epoch ms. */
export interface SimAddonView {
  readonly addonName: string;
  readonly addonArn: string;
  readonly addonVersion: string;
  readonly status: AddonStatus;
  readonly configurationValues?: string;
  readonly serviceAccountRoleArn?: string;
  readonly podIdentityAssociations: readonly { serviceAccount: string; roleArn: string; associationArn: string }[];
  readonly health: { readonly issues: readonly SimIssue[] };
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
  /** When the create, update or delete in flight lands (virtual epoch ms); null: never (STUCK); absent: none in flight. */
  readonly changeCompletesAt?: number | null;
}

/** A deep copy of one simulated cluster, settled to the moment it was taken. */
export interface SimClusterView {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly status: ClusterStatus;
  readonly kubernetesVersion: string;
  readonly platformVersion: string;
  readonly compute: FleetCluster['compute'];
  readonly nodes: number;
  readonly tags: Readonly<Record<string, string>>;
  /** `gone` after CLUSTER_DELETED fired; `ghost` when listed but 404 everywhere. */
  readonly existence: Existence;
  readonly addon?: SimAddonView;
  /** The self-managed aws-node DaemonSet, when the cluster has one. */
  readonly selfManaged?: SelfManaged;
  /** The add-on's Update objects, oldest first. */
  readonly updates: readonly SimUpdateView[];
  /** Control-plane updates (fleet status UPDATING, fault CLUSTER_UPDATING), oldest first. */
  readonly clusterUpdates: readonly SimUpdateView[];
}

const updateView = (u: SimCluster['updates'][number]): SimUpdateView =>
  structuredClone({ id: u.id, status: u.status, type: u.type, params: u.params, errors: u.errors, createdAt: u.createdAt });

/** Copies a cluster's state for a test; later requests do not change the copy. */
export function clusterView(cluster: SimCluster): SimClusterView {
  const addon = cluster.addon;
  return {
    name: cluster.name,
    region: cluster.region,
    accountId: cluster.accountId,
    status: clusterStatus(cluster),
    kubernetesVersion: cluster.kubernetesVersion,
    platformVersion: cluster.platformVersion,
    compute: cluster.compute,
    nodes: cluster.nodes,
    tags: { ...cluster.tags },
    existence: cluster.existence,
    addon: addon
      ? structuredClone({
          addonName: addon.addonName,
          addonArn: addon.addonArn,
          addonVersion: addon.settings.addonVersion,
          status: addon.status,
          configurationValues: addon.settings.configurationValues,
          serviceAccountRoleArn: addon.settings.serviceAccountRoleArn,
          podIdentityAssociations: addon.settings.podIdentityAssociations,
          health: { issues: addon.issues },
          tags: addon.tags,
          createdAt: addon.createdAt,
          modifiedAt: addon.modifiedAt,
          ...(addon.pending ? { changeCompletesAt: addon.pending.completesAt } : {}),
        })
      : undefined,
    selfManaged: cluster.selfManaged ? structuredClone(cluster.selfManaged) : undefined,
    updates: cluster.updates.filter((u) => u.addonName !== undefined).map(updateView),
    clusterUpdates: cluster.updates.filter((u) => u.addonName === undefined).map(updateView),
  };
}
