import type { JsonObject } from '../json.js';
import type { ClusterItem, HopItem, HopRollout, RecordedError, RecordedNodeFault, RunClusterRecords } from '../store/progress-store.js';

/** One hop as the operator reads it. */
export interface HopView {
  readonly index: number;
  readonly fromVersion: string;
  readonly version: string;
  readonly kind: string;
  readonly updateId: string | null;
  readonly outcome: string;
  readonly polls: number;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** Whole seconds from start to end; null while the hop runs. */
  readonly seconds: number | null;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string } | null;
  /** What the rollout gate found after the hop (docs/rollout-gate.md); null on hops from before the gate. */
  readonly rollout: HopRollout | null;
  /** What could not be checked and was let through (kubernetesAccess best-effort). */
  readonly warnings: readonly string[];
}

/** One cluster within one run: where it stands (`status`) or how it ended (`history`). */
export interface ClusterRunView {
  readonly runId: string;
  readonly clusterKey: string;
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  /** PENDING, RUNNING, UPGRADED, UNCHANGED, FAILED, BLOCKED, SKIPPED, PLANNED or ABORTED. */
  readonly status: string;
  /** The workflow state that wrote last, e.g. `PollHop`. */
  readonly step: string | null;
  readonly from: string | null;
  readonly target: string | null;
  /** The version the last successful hop reached, else `from`. */
  readonly version: string | null;
  readonly kubernetesVersion: string | null;
  readonly hopsDone: number;
  readonly hopCount: number;
  /** 1-based index of the hop in flight; null between hops. */
  readonly currentHop: number | null;
  readonly error: RecordedError | null;
  /** The aws-node nodes, pods and containers at fault: the failing hop's rollout gate, or the pre-flight's. */
  readonly nodes: readonly RecordedNodeFault[];
  /** What could not be checked and was let through (kubernetesAccess best-effort), on the cluster and its hops. */
  readonly warnings: readonly string[];
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** The run rolled back the hop of another run (`cni-fleet rollback`); null for an upgrade. */
  readonly rollback: NonNullable<ClusterItem['rollback']> | null;
  readonly hops: readonly HopView[];
}

const secondsBetween = (start: string, end: string | null): number | null =>
  end === null ? null : Math.max(0, Math.round((Date.parse(end) - Date.parse(start)) / 1000));

const hopView = (h: HopItem): HopView => ({
  index: h.index,
  fromVersion: h.fromVersion,
  version: h.version,
  kind: h.kind,
  updateId: h.updateId,
  outcome: h.outcome,
  polls: h.polls,
  startedAt: h.startedAt,
  endedAt: h.endedAt,
  seconds: secondsBetween(h.startedAt, h.endedAt),
  error: h.error,
  rollout: h.rollout ?? null,
  warnings: h.warnings ?? [],
});

const isFault = (value: unknown): value is RecordedNodeFault =>
  typeof value === 'object' && value !== null && typeof (value as { reason?: unknown }).reason === 'string' && typeof (value as { message?: unknown }).message === 'string';

/**
 * The aws-node nodes at fault in one cluster's run: those the rollout gate named on the hop that failed, else those
 * the pre-flight named in the snapshot (a cluster BLOCKED before any change); empty when neither found any.
 *
 * @example
 * nodesAtFault(records).map((f) => `${f.node} ${f.container} ${f.reason}`) // ['ip-10-0-0-12… aws-eks-nodeagent CrashLoopBackOff']
 */
export function nodesAtFault(records: Pick<RunClusterRecords, 'snapshot' | 'hops'>): RecordedNodeFault[] {
  const failed = [...records.hops].reverse().find((h) => (h.rollout?.faults.length ?? 0) > 0);
  if (failed?.rollout) return [...failed.rollout.faults];
  const preflight = records.snapshot?.snapshot['awsNode'];
  const faults = preflight && typeof preflight === 'object' && !Array.isArray(preflight) ? (preflight as JsonObject)['faults'] : undefined;
  return Array.isArray(faults) ? faults.filter(isFault) : [];
}

/**
 * Flattens one cluster's records of one run (cluster, snapshot, plan, hops) into what `status` and `history`
 * show. A cluster record missing while its children exist (a child written first) still yields a row.
 *
 * @example
 * (await store.listRunClusters(runId)).map((r) => clusterRunView(runId, r)) // [{ name: 'prod', status: 'RUNNING', hopsDone: 1, hopCount: 3, … }]
 */
export function clusterRunView(runId: string, records: RunClusterRecords): ClusterRunView {
  const c: ClusterItem | null = records.cluster;
  const [accountId = '', region = '', name = ''] = records.clusterKey.split('/');
  const hops = records.hops.map(hopView);
  const lastDone = [...records.hops].reverse().find((h) => h.outcome === 'SUCCEEDED');
  const from = c?.from ?? records.snapshot?.snapshot.addonVersion ?? null;
  return {
    runId,
    clusterKey: records.clusterKey,
    name: c?.clusterName ?? name,
    region: c?.region ?? region,
    accountId: c?.accountId ?? accountId,
    status: c?.status ?? 'PENDING',
    step: c?.step ?? null,
    from,
    target: c?.target ?? records.plan?.plan.target ?? null,
    version: lastDone?.version ?? from,
    kubernetesVersion: records.snapshot?.snapshot.kubernetesVersion ?? records.plan?.plan.kubernetesVersion ?? null,
    hopsDone: c?.hopsDone ?? hops.filter((h) => h.outcome === 'SUCCEEDED').length,
    hopCount: c?.hopCount ?? records.plan?.plan.hops.length ?? 0,
    currentHop: c?.currentHop ?? null,
    error: c?.error ?? null,
    nodes: nodesAtFault(records),
    warnings: [...(c?.warnings ?? []), ...records.hops.flatMap((h) => (h.warnings ?? []).map((w) => `hop ${h.index} (${h.version}): ${w}`))],
    startedAt: c?.startedAt ?? null,
    endedAt: c?.endedAt ?? null,
    rollback: c?.rollback ?? null,
    hops,
  };
}
