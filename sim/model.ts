import type { Fault, FleetCluster, SelfManaged } from '../lib/fleet/fleet-file.js';
import type { DaemonSetState, PendingJoin } from './kubernetes/daemonset-rollout.js';
import type { SimNode } from './kubernetes/nodes.js';

/**
 * The only add-on the simulator manages. Written here on purpose, not taken from the product's add-on spec
 * (lib/addon-spec.ts): the simulator is an independent judge of what the product sends, so a wrong name in the
 * spec is answered with EKS's 404, not agreed with.
 */
export const VPC_CNI = 'vpc-cni';

/** AddonStatus (docs/eks-behaviour.md#statuses). */
export type AddonStatus = 'CREATING' | 'ACTIVE' | 'CREATE_FAILED' | 'UPDATING' | 'DELETING' | 'DELETE_FAILED' | 'DEGRADED' | 'UPDATE_FAILED';
/** UpdateStatus (docs/eks-behaviour.md#statuses). */
export type UpdateStatus = 'InProgress' | 'Failed' | 'Cancelled' | 'Successful';
/** ClusterStatus (docs/eks-behaviour.md#statuses). */
export type ClusterStatus = FleetCluster['status'];

/**
 * AddonIssue (docs/eks-behaviour.md#the-addon-object); `resourceIds` is null as real EKS sends it
 * (docs/eks-behaviour.md#explicit-nulls).
 */
export interface SimIssue {
  code: string;
  message: string;
  resourceIds: string[] | null;
}

/** ErrorDetail of a failed Update (docs/eks-behaviour.md#the-update-object). */
export interface SimErrorDetail {
  errorCode: string;
  errorMessage: string;
  resourceIds: string[] | null;
}

export interface SimUpdateParam {
  type: string;
  value: string;
}

/**
 * An Update object (docs/eks-behaviour.md#the-update-object): an add-on update, or a control-plane update
 * (CLUSTER_UPDATING).
 */
export interface SimUpdate {
  id: string;
  status: UpdateStatus;
  type: 'AddonUpdate' | 'VersionUpdate';
  params: SimUpdateParam[];
  errors: SimErrorDetail[];
  /** Virtual epoch ms. */
  createdAt: number;
  /**
   * Set for add-on updates: DescribeUpdate only finds them with `?addonName=`
   * (docs/eks-behaviour.md#describeupdate-needs-addonname).
   */
  addonName?: string;
  /** The idempotency token the update was requested with (docs/eks-behaviour.md#idempotency-tokens). */
  clientRequestToken?: string;
}

export interface SimPodIdentityAssociation {
  serviceAccount: string;
  roleArn: string;
  /** What the Addon shape's `podIdentityAssociations` string list carries (docs/eks-behaviour.md#the-addon-object). */
  associationArn: string;
  /** Virtual epoch ms; kept when an update re-sends the same pair (the association is not re-created). */
  createdAt: number;
  modifiedAt: number;
}

/** What an add-on runs with; an update or create replaces it when it lands. */
export interface AddonSettings {
  addonVersion: string;
  configurationValues?: string;
  serviceAccountRoleArn?: string;
  podIdentityAssociations: SimPodIdentityAssociation[];
}

/** How an accepted create/update/delete ends, decided (faults consumed) when it is accepted. */
export type ChangeOutcome =
  | { kind: 'success' }
  | { kind: 'failed'; error: SimErrorDetail; issue: SimIssue }
  | { kind: 'degraded'; issue: SimIssue };

/** A create, update or delete in flight. `completesAt: null` never completes (fault STUCK). */
export interface PendingChange {
  kind: 'create' | 'update' | 'delete';
  completesAt: number | null;
  outcome: ChangeOutcome;
  target: AddonSettings;
  updateId?: string;
  /**
   * DeleteAddon `preserve=true`: the software stays on the cluster, self-managed
   * (docs/eks-behaviour.md#the-update-lifecycle).
   */
  preserve?: boolean;
}

export interface SimAddon {
  addonName: string;
  addonArn: string;
  status: AddonStatus;
  settings: AddonSettings;
  tags: Record<string, string>;
  issues: SimIssue[];
  createdAt: number;
  modifiedAt: number;
  /** The CreateAddon idempotency token. */
  createToken?: string;
  pending?: PendingChange;
}

export interface FaultState {
  readonly fault: Fault;
  /** Firings left; Infinity for "every match". */
  remaining: number;
}

/**
 * Whether the cluster still exists. A ghost is listed by ListClusters but 404s everywhere
 * (docs/eks-behaviour.md#listclusters-ghosts).
 */
export type Existence = 'present' | 'ghost' | 'gone';

export interface SimCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly kubernetesVersion: string;
  /** The status the fleet file gave; the reported status also reflects `controlPlaneUpdate`. */
  baseStatus: ClusterStatus;
  readonly tags: Record<string, string>;
  readonly platformVersion: string;
  readonly compute: FleetCluster['compute'];
  /** The fleet file's node count: what an update's duration is computed from. */
  readonly nodes: number;
  readonly nodeGroups: FleetCluster['nodeGroups'];
  /** Every node the Kubernetes API lists, the ones that joined since the start included. */
  readonly nodeList: SimNode[];
  /** Nodes that will join (fault NODE_JOIN). */
  readonly pendingJoins: PendingJoin[];
  /** The aws-node DaemonSet and its pods; undefined when the cluster has none (Auto Mode, deleted, never installed). */
  daemonSet?: DaemonSetState | undefined;
  readonly createdAt: number;
  /** Stable hex used for the endpoint host, OIDC id and ARNs' unique parts. */
  readonly uid: string;
  addon?: SimAddon;
  /** The self-managed aws-node DaemonSet, kept so a later Kubernetes API can serve it. */
  selfManaged?: SelfManaged;
  /** Add-on and control-plane updates, oldest first. */
  updates: SimUpdate[];
  /** An in-flight control-plane update (fleet status UPDATING or fault CLUSTER_UPDATING). */
  controlPlaneUpdate?: { updateId: string; until: number | null };
  faults: FaultState[];
  existence: Existence;
  /** Add-on updates and creates accepted so far (fault CLUSTER_DELETED). */
  acceptedChanges: number;
}
