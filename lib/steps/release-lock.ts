import type { ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';
import { summarizeClusterRun } from './summarize-cluster-run.js';

/**
 * ReleaseLock: deletes the cluster's lock if this execution holds it (a conditional delete; releasing a lock
 * that expired and was taken over is a no-op). A cluster execution started on its own (console, CLI, schedule,
 * event) is a run of its own (AcquireLock created it) with no fleet SummarizeRun to close it, so its last state
 * closes the run here, on success and failure alike; a fleet's child leaves that to the fleet.
 *
 * @example
 * await releaseLock(state, deps) // { released: true }
 */
export async function releaseLock(
  state: Pick<ClusterState, 'executionId' | 'runId' | 'trigger'> & { cluster: Pick<ClusterState['cluster'], 'key'> },
  deps: StepDeps,
): Promise<{ released: boolean }> {
  const released = await deps.store.releaseLock(state.cluster.key, state.executionId);
  if (state.trigger !== 'fleet') {
    // No run item when the lock was refused before AcquireLock created it; an ended one was closed by a retry.
    const run = await deps.store.getRun(state.runId);
    if (run?.status === 'RUNNING') await summarizeClusterRun({ runId: state.runId }, deps);
  }
  return { released };
}
