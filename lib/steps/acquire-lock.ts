import { StepAlreadyRecordedError } from '../errors.js';
import type { ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';
import { joinRun } from './join-run.js';
import { RunTrigger, isFinalClusterStatus } from '../store/progress-store.js';
import { toPlainJson } from '../json.js';

const isRunTrigger = (t: string): t is RunTrigger => (Object.values(RunTrigger) as string[]).includes(t);

/** How long a lock outlives its last renewal: a crashed execution's lock expires after this (docs/failure-behaviour.md). */
export const lockTtlSeconds = (options: { hopTimeoutSeconds: number }): number => options.hopTimeoutSeconds * 2 + 600;

/**
 * AcquireLock: takes the cluster's lock for this execution (a conditional write: facts in docs/progress-table.md)
 * and marks the cluster RUNNING in this run. Re-entrant for the same execution, so ApplyHop renews it.
 *
 * @throws LockHeldError when another execution holds an unexpired lock; nothing in EKS has been called
 * @example
 * await acquireLock(state, deps) // { owner: 'arn:aws:states:…:execution:…', expiresAt: 1767225600 }
 */
export async function acquireLock(state: Pick<ClusterState, 'runId' | 'executionId' | 'cluster' | 'options' | 'trigger'>, deps: StepDeps) {
  const now = deps.now();
  // A run id is one run: a cluster that already ended in this run is not run again under it (its records would
  // be rewritten). Checked before the lock is taken, so the refusal leaves no lock behind.
  const recorded = await deps.store.getCluster(state.runId, state.cluster.key);
  if (recorded && isFinalClusterStatus(recorded.status))
    throw new StepAlreadyRecordedError(recorded.type, recorded.pk, recorded.sk, `${state.cluster.name} already ended as ${recorded.status} in this run; resume with a new run id`);
  const lock = await deps.store.acquireLock(state.cluster.key, state.executionId, lockTtlSeconds(state.options), now, state.runId);
  // A child of a fleet run joins the fleet's run item; a cluster started on its own is a run of its own.
  if (isRunTrigger(state.trigger))
    await deps.store.putRun({ runId: state.runId, trigger: state.trigger, input: toPlainJson({ cluster: state.cluster, options: state.options }) });
  await joinRun(state, deps, 'AcquireLock');
  return { owner: lock.owner, expiresAt: lock.lockExpiresAt };
}
