import type { ExecutionStatusChange } from '../workflow/task-events.js';
import { toPlainJson } from '../json.js';
import type { RecordedError, RunClusterRecords } from '../store/progress-store.js';
import { isFinalClusterStatus } from '../store/progress-store.js';
import type { StepDeps } from './step-deps.js';

/** What a cleanup did, for the log and for the callers that report it (the rehearsal, `cni-fleet abort`). */
export interface CleanupResult {
  readonly executionArn: string;
  readonly status: string;
  readonly runId: string;
  /** Cluster keys whose lock this cleanup released. */
  readonly releasedLocks: readonly string[];
  /** Cluster keys this cleanup closed as ABORTED. */
  readonly abortedClusters: readonly string[];
  /** True when this cleanup closed the run item as ABORTED. */
  readonly runClosed: boolean;
}

/** Execution statuses after which nothing of the execution runs any more. */
const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** What the cleanup reads from an execution's input: the same fields the workflows read (`runId ?? name`). */
interface InputFacts {
  readonly runId: string | undefined;
  readonly trigger: string | undefined;
  readonly isClusterExecution: boolean;
  /** A lane of the fleet's Distributed Maps (a child execution of the fleet state machine, input `{runId, lane, …}`). */
  readonly isLaneExecution: boolean;
}

function inputFacts(text: string | null | undefined): InputFacts {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const input = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  return {
    runId: typeof input['runId'] === 'string' && input['runId'] !== '' ? input['runId'] : undefined,
    trigger: typeof input['trigger'] === 'string' ? input['trigger'] : undefined,
    isClusterExecution: typeof input['cluster'] === 'object' && input['cluster'] !== null,
    isLaneExecution: typeof input['lane'] === 'number',
  };
}

/** The error recorded on what a cleanup closes: which execution ended how. */
export function abortedError(executionName: string, status: string): RecordedError {
  const name = status === 'TIMED_OUT' ? 'ExecutionTimedOut' : status === 'FAILED' ? 'ExecutionFailed' : 'ExecutionAborted';
  return {
    name,
    message: `execution ${executionName} ended ${status} before this cluster's outcome was recorded (stopped, timed out or failed outside the workflow); the cleanup closed it and released its lock`,
  };
}

/**
 * Closes one cluster's open records as ABORTED: the hop in progress (EKS may still finish that update; the next
 * run snapshots whatever it finds) and the cluster itself. Records that already ended keep their outcome.
 */
async function abortClusterRecords(runId: string, records: RunClusterRecords, error: RecordedError, deps: StepDeps): Promise<boolean> {
  for (const hop of records.hops.filter((h) => h.outcome === 'IN_PROGRESS'))
    await deps.store.updateHop(runId, records.clusterKey, hop.index, { outcome: 'ABORTED', error: { name: error.name, message: error.message } });
  return (await deps.store.abortCluster(runId, records.clusterKey, error)) !== null;
}

/** Closes the run item as ABORTED (when it is still RUNNING) with the counts a SummarizeRun would have written. */
async function closeRun(runId: string, clusters: readonly RunClusterRecords[], executionArn: string, status: string, deps: StepDeps): Promise<boolean> {
  const run = await deps.store.getRun(runId);
  if (run?.status !== 'RUNNING') return false;
  const byStatus: Record<string, number> = {};
  let hops = 0;
  for (const { cluster, hops: h } of clusters) {
    if (!cluster) continue;
    byStatus[cluster.status] = (byStatus[cluster.status] ?? 0) + 1;
    hops += h.filter((x) => x.outcome === 'SUCCEEDED').length;
  }
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  await deps.store.finishRun(runId, { status: 'ABORTED', summary: toPlainJson({ runId, total, byStatus, hops, endedBy: { executionArn, status } }) });
  return true;
}

/**
 * Closes a whole run as ABORTED: every cluster that had not ended (and its hop in progress), then the run item.
 * With `releaseLocks`, also the locks that executions of this run still hold on its clusters (recorded with the
 * run's id): right when every execution of the run is known to be gone, e.g. a rehearsal whose process died.
 *
 * @example
 * await abortRun('rehearsal-2026-11-22T10-00-00-000Z', deps, { error, releaseLocks: true, endedBy: 'process 4242' });
 */
export async function abortRun(
  runId: string,
  deps: StepDeps,
  options: { readonly error: RecordedError; readonly releaseLocks: boolean; readonly endedBy: string; readonly status?: string },
): Promise<Omit<CleanupResult, 'executionArn' | 'status'>> {
  const before = await deps.store.listRunClusters(runId);
  const releasedLocks: string[] = [];
  const abortedClusters: string[] = [];
  for (const records of before) {
    if (!records.cluster || isFinalClusterStatus(records.cluster.status)) continue;
    if (options.releaseLocks) {
      const lock = await deps.store.getLock(records.clusterKey);
      if (lock?.runId === runId && (await deps.store.releaseLock(records.clusterKey, lock.owner))) releasedLocks.push(records.clusterKey);
    }
    if (await abortClusterRecords(runId, records, options.error, deps)) abortedClusters.push(records.clusterKey);
  }
  const after = abortedClusters.length > 0 ? await deps.store.listRunClusters(runId) : before;
  const runClosed = await closeRun(runId, after, options.endedBy, options.status ?? 'ABORTED', deps);
  return { runId, releasedLocks, abortedClusters, runClosed };
}

/**
 * The cleanup after an execution ended (EventBridge "Step Functions Execution Status Change", or the local
 * runner aborting its executions): releases exactly the locks that execution holds (found through their owner,
 * no scan) and closes what it left open as ABORTED — the clusters of those locks, and the run when the execution
 * was a run of its own (a fleet run, or a cluster execution not started by a fleet). An execution that ended
 * through the workflow's own states left nothing open, so the cleanup changes nothing: it is safe for every end
 * and for a repeated event.
 *
 * @example
 * await cleanupExecution({ detail: { executionArn, stateMachineArn, name: 'weekly-1', status: 'ABORTED', input: '{"runId":"weekly-1",…}' } }, deps)
 * // { runId: 'weekly-1', releasedLocks: ['111122223333/eu-west-1/prod'], abortedClusters: [...], runClosed: true }
 */
export async function cleanupExecution(event: ExecutionStatusChange, deps: StepDeps): Promise<CleanupResult> {
  const { executionArn, name, status } = event.detail;
  const facts = inputFacts(event.detail.input);
  const runId = facts.runId ?? name;
  const result: CleanupResult = { executionArn, status, runId, releasedLocks: [], abortedClusters: [], runClosed: false };
  if (!ENDED.has(status)) return result;
  const error = abortedError(name, status);
  const releasedLocks: string[] = [];
  const abortedClusters: string[] = [];
  // The cluster records first, then the lock: whoever takes the lock next finds this run's records closed.
  for (const lock of await deps.store.locksOwnedBy(executionArn)) {
    const records = lock.runId ? await deps.store.getRunCluster(lock.runId, lock.clusterKey) : null;
    if (lock.runId && records && (await abortClusterRecords(lock.runId, records, error, deps))) abortedClusters.push(lock.clusterKey);
    if (await deps.store.releaseLock(lock.clusterKey, executionArn)) releasedLocks.push(lock.clusterKey);
  }
  // A fleet's child belongs to the fleet's run, which the fleet's own end (or SummarizeRun) closes.
  if (facts.isClusterExecution && facts.trigger === 'fleet') return { ...result, releasedLocks, abortedClusters };
  // A lane ending does not end its fleet run: the fleet goes on (its Maps tolerate a failed lane) and its summary
  // counts the lane's clusters without an outcome; the fleet's own end closes the run.
  if (facts.isLaneExecution) return { ...result, releasedLocks, abortedClusters };
  const run = await abortRun(runId, deps, { error, releaseLocks: false, endedBy: executionArn, status });
  return { ...result, releasedLocks, abortedClusters: [...abortedClusters, ...run.abortedClusters], runClosed: run.runClosed };
}
