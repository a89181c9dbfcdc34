import type { ClusterOutcome, ClusterState } from '../workflow/state.js';
import type { ClusterResult } from './cluster-result.js';
import { clusterResult } from './cluster-result.js';
import type { StepDeps } from './step-deps.js';
import { isFinalClusterStatus } from '../store/progress-store.js';
import { causeMessage } from '../workflow/cause-message.js';

/** Errors that mean "left alone on purpose, before any change" rather than "went wrong". */
const BLOCKED = new Set(['PlanBlockedError', 'ConfigurationRejectedError', 'UntranslatableSettingsError', 'AwsNodeUnhealthyError', 'MaintenanceWindowTagError', 'RollbackRefusedError']);
/**
 * The Kubernetes API refused or did not answer: before the first hop nothing has changed, so the cluster is BLOCKED
 * (kubernetesAccess `required`: the message names the access entry to create); after a hop it is FAILED.
 */
const BLOCKED_BEFORE_ANY_HOP = new Set(['KubernetesAccessError', 'KubernetesUnavailableError']);
// A rollout control that stops a cluster before its first change (a halted run, a deferred window) leaves it as it was.
const SKIPPED = new Set(['ClusterSkippedError', 'ClusterNotFoundError', 'RunHaltedError', 'OutsideMaintenanceWindowError']);

/**
 * RecordFailure: records why the cluster's run ended (error name and message, on the cluster and on the hop in
 * progress) and classifies it: BLOCKED (refused before any change), SKIPPED (not to be touched; only before
 * any hop started), FAILED (everything else).
 *
 * @example
 * await recordFailure({ ...state, failure: { Error: 'AddonUpdateFailedError', Cause: '…' } }, deps) // { status: 'FAILED', … }
 */
export async function recordFailure(state: Pick<ClusterState, 'runId' | 'cluster' | 'snapshot' | 'plan' | 'hop' | 'failure'>, deps: StepDeps): Promise<ClusterResult> {
  const name = state.failure?.Error ?? 'States.Runtime';
  const message = causeMessage(state.failure?.Cause);
  const touched = state.hop !== undefined;
  const status: ClusterOutcome = BLOCKED.has(name) || (BLOCKED_BEFORE_ANY_HOP.has(name) && !touched) ? 'BLOCKED' : SKIPPED.has(name) && !touched ? 'SKIPPED' : 'FAILED';
  const now = deps.now().toISOString();
  if (state.hop && state.hop.status !== 'SUCCEEDED') {
    await deps.store.updateHop(state.runId, state.cluster.key, state.hop.index, {
      outcome: name === 'HopTimeoutError' ? 'TIMED_OUT' : 'FAILED',
      polls: state.hop.polls,
      endedAt: now,
      error: { name, message },
    });
  }
  // The cluster may have no record yet (the lock was refused before AcquireLock wrote one).
  const recorded = await deps.store.putCluster(state.runId, { accountId: state.cluster.accountId, region: state.cluster.region, clusterName: state.cluster.name, status: 'RUNNING' });
  // An ended record is kept: a replay of this step, or an execution refused for reusing a finished run's id.
  if (!isFinalClusterStatus(recorded.status))
    await deps.store.updateCluster(state.runId, state.cluster.key, { status, error: { name, message }, endedAt: now, currentHop: null });
  return clusterResult(state, status, null, { name, message });
}
