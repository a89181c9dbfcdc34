import type { ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';

/**
 * RecordHop: closes the hop's record (SUCCEEDED, polls, end time) and advances the plan. Idempotent: a replay
 * writes the same values.
 *
 * @example
 * await recordHop(state, deps) // 1: the index of the next hop
 */
export async function recordHop(state: Pick<ClusterState, 'runId' | 'cluster' | 'plan' | 'hop'>, deps: StepDeps): Promise<number> {
  const { plan, hop, cluster } = state;
  if (!plan || !hop) throw new Error('RecordHop needs the plan and the hop (ASL order)');
  await deps.store.updateHop(state.runId, cluster.key, hop.index, {
    outcome: 'SUCCEEDED',
    polls: hop.polls,
    endedAt: deps.now().toISOString(),
  });
  await deps.store.updateCluster(state.runId, cluster.key, { step: 'RecordHop', hopsDone: hop.index, currentHop: null });
  return plan.nextHop + 1;
}
