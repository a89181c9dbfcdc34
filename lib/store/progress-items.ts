import type { HopKind, UpgradePlan } from '../versions/upgrade-plan.js';
import type { JsonObject, JsonValue } from '../json.js';
import type { ClusterHold, HoldEpisode } from './control-records.js';

/** The `type` attribute of every item in the progress table (docs/progress-table.md). */
export const ItemType = {
  RUN: 'RUN',
  CLUSTER: 'CLUSTER',
  SNAPSHOT: 'SNAPSHOT',
  PLAN: 'PLAN',
  HOP: 'HOP',
  LOCK: 'LOCK',
} as const;
export type ItemType = (typeof ItemType)[keyof typeof ItemType];

/**
 * How a fleet run ended; RUNNING until `finishRun`. HALTED: stopped on purpose (e.g. a failure budget). ABORTED: its
 * execution was stopped, timed out or failed outside the workflow's own Catch, and the cleanup closed it
 * (lib/steps/cleanup-execution.ts).
 */
export const RunStatus = { RUNNING: 'RUNNING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED', HALTED: 'HALTED', ABORTED: 'ABORTED' } as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** What started a run. */
export const RunTrigger = { SCHEDULE: 'schedule', CONSOLE: 'console', CLI: 'cli', EVENT: 'event', LOCAL: 'local' } as const;
export type RunTrigger = (typeof RunTrigger)[keyof typeof RunTrigger];

/**
 * Where one cluster of a run stands. PENDING and RUNNING are the only non-final statuses; PLANNED is the
 * end of a dry run, UNCHANGED a cluster already at its target, BLOCKED a cluster the planner refused, ABORTED a
 * cluster whose execution was stopped (or timed out, or failed outside the workflow's Catch) before it ended.
 */
export const ClusterStatus = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  UPGRADED: 'UPGRADED',
  UNCHANGED: 'UNCHANGED',
  FAILED: 'FAILED',
  BLOCKED: 'BLOCKED',
  SKIPPED: 'SKIPPED',
  PLANNED: 'PLANNED',
  ABORTED: 'ABORTED',
} as const;
export type ClusterStatus = (typeof ClusterStatus)[keyof typeof ClusterStatus];

/**
 * How one hop (one CreateAddon/UpdateAddon) ended; IN_PROGRESS while it is polled. ABORTED: the execution stopped
 * while the hop was in progress (EKS may still finish the update; the next run snapshots whatever it finds).
 */
export const HopOutcome = {
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  TIMED_OUT: 'TIMED_OUT',
  SKIPPED: 'SKIPPED',
  ABORTED: 'ABORTED',
} as const;
export type HopOutcome = (typeof HopOutcome)[keyof typeof HopOutcome];

/**
 * True for a cluster status after which the cluster's record only changes by a replay.
 *
 * @example
 * isFinalClusterStatus('UPGRADED') // true
 * isFinalClusterStatus('RUNNING') // false
 */
export function isFinalClusterStatus(status: ClusterStatus): boolean {
  return status !== ClusterStatus.PENDING && status !== ClusterStatus.RUNNING;
}

/** An error as recorded: its class name (the `ErrorEquals` string) and message. */
export interface RecordedError {
  readonly name: string;
  readonly message: string;
}

/** A hop's error; `code` is EKS's errorCode when the update itself failed. */
export interface RecordedHopError extends RecordedError {
  readonly code?: string;
}

/**
 * An EKS AddonIssue (docs/eks-behaviour.md#the-addon-object), e.g. `{ code: 'InsufficientNumberOfReplicas', message,
 * resourceIds: null }`.
 */
export interface HealthIssue {
  readonly code: string;
  readonly message: string;
  // Real EKS sends an explicit null here (docs/eks-behaviour.md#explicit-nulls).
  readonly resourceIds?: readonly string[] | null;
}

/** A node, pod or container the aws-node pre-flight or the rollout gate found at fault. */
export interface RecordedNodeFault {
  /** Null when the fault is the DaemonSet's own (missing, or a rollout that did not complete). */
  readonly node: string | null;
  readonly pod: string | null;
  readonly container: string | null;
  /** The kubelet's waiting reason (`CrashLoopBackOff`, `ImagePullBackOff`, …) or the gate's (`RestartsGrowing`, `NotReady`, …). */
  readonly reason: string;
  readonly message: string;
}

/** What the rollout gate found after a hop (docs/rollout-gate.md). */
export interface HopRollout {
  /** HEALTHY or UNHEALTHY; UNCHECKED when best-effort could not read the API; OFF when kubernetesAccess is off. */
  readonly verdict: 'HEALTHY' | 'UNHEALTHY' | 'UNCHECKED' | 'OFF';
  /** Reads the gate made (each: the DaemonSet, and its pods when needed). */
  readonly reads: number;
  readonly desired: number | null;
  readonly updated: number | null;
  readonly available: number | null;
  /** UNHEALTHY: the nodes at fault (at most 50; `faultCount` counts them all). */
  readonly faults: readonly RecordedNodeFault[];
  readonly faultCount: number;
  /** What passed with a remark, e.g. a container that restarted once during the rollout and then stayed up. */
  readonly notes: readonly string[];
}

/** The attributes every item has. */
export interface ItemBase {
  readonly pk: string;
  readonly sk: string;
  readonly type: ItemType;
  /** Epoch seconds after which DynamoDB's TTL deletes the item (`retentionDays` after the last write). */
  readonly expiresAt: number;
}

/** One fleet run: pk `RUN#<runId>`, sk `RUN`. */
export interface RunItem extends ItemBase {
  readonly type: typeof ItemType.RUN;
  readonly runId: string;
  /** ISO 8601. */
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** The execution input as the run received it. */
  readonly input: JsonObject;
  readonly status: RunStatus;
  /** Set by `finishRun`. */
  readonly summary: JsonObject | null;
  readonly trigger: RunTrigger;
}

/** One cluster within a run: pk `RUN#<runId>`, sk `CLUSTER#<clusterKey>`; indexed by `byCluster` and `byClusterName`. */
export interface ClusterItem extends ItemBase {
  readonly type: typeof ItemType.CLUSTER;
  readonly runId: string;
  /** `${accountId}/${region}/${clusterName}`. */
  readonly clusterKey: string;
  readonly clusterName: string;
  readonly region: string;
  readonly accountId: string;
  readonly status: ClusterStatus;
  /** The workflow state that wrote last, e.g. `PollHop`. */
  readonly step: string | null;
  /** The installed version when the run found the cluster. */
  readonly from: string | null;
  readonly target: string | null;
  readonly hopCount: number;
  readonly hopsDone: number;
  /** The 1-based index of the hop being carried out; null between hops. */
  readonly currentHop: number | null;
  readonly error: RecordedError | null;
  /** What could not be checked and was let through (kubernetesAccess best-effort); absent when none. */
  readonly warnings?: readonly string[];
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly endedAt: string | null;
  /** `CLUSTER#<clusterKey>`. */
  readonly gsi1pk: string;
  /** `<startedAt>#<runId>`: ISO timestamps sort as text, so the index is ordered by time. */
  readonly gsi1sk: string;
  /** `CLUSTERNAME#<clusterName>`: the same history across accounts and regions. */
  readonly gsi2pk: string;
  /** While a rollout control holds the cluster before its first change (lib/store/control-records.ts). */
  readonly hold?: ClusterHold | null;
  /** Holds that ended, oldest first: how long the cluster waited, for what, and how each ended. */
  readonly holds?: readonly HoldEpisode[];
  /** The cluster's maintenance window as its tag gave it, and when its first change could start (dry run, holds). */
  readonly window?: { readonly text: string; readonly open: boolean; readonly earliestStart: string } | null;
  /** This run rolled back the hop `hop` of run `ofRun` (`cni-fleet rollback`): from → to, and why. */
  readonly rollback?: { readonly ofRun: string; readonly hop: number; readonly from: string; readonly to: string; readonly reason: string | null } | null;
}

/**
 * The add-on as it was before the first change, kept so settings can be checked and restored. Extra
 * members are kept as they are.
 */
export type AddonSnapshot = {
  readonly addonVersion: string;
  /** The JSON or YAML text EKS returned; null when the add-on had none. */
  readonly configurationValues: string | null;
  readonly serviceAccountRoleArn: string | null;
  /**
   * Association ARNs (DescribeAddon: docs/eks-behaviour.md#the-addon-object) or `{ serviceAccount, roleArn }` pairs for
   * a restore.
   */
  readonly podIdentityAssociations: readonly (string | { readonly serviceAccount: string; readonly roleArn: string })[];
  readonly kubernetesVersion: string;
  /** ISO 8601. */
  readonly takenAt: string;
  /**
   * A self-managed install (docs/self-managed.md): the aws-node DaemonSet and ServiceAccount manifests as found
   * (lib/migration/manifest-archive.ts: JSON, or gzip+base64 above 64 KB so the item stays under DynamoDB's
   * 400 KB), the image, and the translation into configurationValues.
   */
  readonly selfManaged?: JsonObject;
} & { readonly [extra: string]: JsonValue | undefined };

/** pk `RUN#<runId>`, sk `CLUSTER#<clusterKey>#SNAPSHOT`; written once. */
export interface SnapshotItem extends ItemBase {
  readonly type: typeof ItemType.SNAPSHOT;
  readonly runId: string;
  readonly clusterKey: string;
  readonly snapshot: AddonSnapshot;
}

/** pk `RUN#<runId>`, sk `CLUSTER#<clusterKey>#PLAN`; written once. */
export interface PlanItem extends ItemBase {
  readonly type: typeof ItemType.PLAN;
  readonly runId: string;
  readonly clusterKey: string;
  readonly plan: UpgradePlan;
}

/** One CreateAddon/UpdateAddon: pk `RUN#<runId>`, sk `CLUSTER#<clusterKey>#HOP#<nn>`. */
export interface HopItem extends ItemBase {
  readonly type: typeof ItemType.HOP;
  readonly runId: string;
  readonly clusterKey: string;
  /** 1-based, as in the plan. */
  readonly index: number;
  readonly fromVersion: string;
  readonly version: string;
  readonly kind: HopKind;
  /** EKS's update id; null for a hop that issued no update (SKIPPED). */
  readonly updateId: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly polls: number;
  readonly outcome: HopOutcome;
  readonly error: RecordedHopError | null;
  readonly healthIssues: readonly HealthIssue[];
  /** The rollout gate's finding; absent on hops recorded before the gate existed. */
  readonly rollout?: HopRollout;
  /** What could not be checked and was let through (kubernetesAccess best-effort). */
  readonly warnings?: readonly string[];
}

/**
 * pk `LOCK#<clusterKey>`, sk `LOCK`: at most one execution moves a cluster's add-on. Also in the `byCluster` index
 * under `LOCKOWNER#<owner>`, so the cleanup of an ended execution finds exactly its locks without a scan.
 */
export interface LockItem extends ItemBase {
  readonly type: typeof ItemType.LOCK;
  readonly clusterKey: string;
  /** A run id or an execution ARN. */
  readonly owner: string;
  /** The run the owner works for (null when the caller did not say), so a run's cleanup knows its own locks. */
  readonly runId: string | null;
  readonly acquiredAt: string;
  /** Epoch seconds; after it, any owner may take the lock over. */
  readonly lockExpiresAt: number;
  /** `LOCKOWNER#<owner>`. */
  readonly gsi1pk: string;
  /** `LOCK#<clusterKey>`. */
  readonly gsi1sk: string;
}

/** Every record of one cluster within a run, as `listRunClusters` groups them. */
export interface RunClusterRecords {
  readonly clusterKey: string;
  /** Null only when a child record was written without its cluster record. */
  readonly cluster: ClusterItem | null;
  readonly snapshot: SnapshotItem | null;
  readonly plan: PlanItem | null;
  /** In hop order. */
  readonly hops: readonly HopItem[];
}
