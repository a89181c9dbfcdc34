import type { ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';

/**
 * RecordHop: closes the hop's record (SUCCEEDED, polls, end time, the rollout gate's finding) and advances the plan. The cluster's record
 * moves on in the same write: `hopsDone` counts this hop and `currentHop` names the next one (null after the
 * last), so the ApplyHop that follows need not write it again (docs/progress-table.md). Idempotent: a replay
 * writes the same values.
 *
 * @example
 * await recordHop(state, deps) // 1: the index of the next hop
 */
export async function recordHop(state: Pick<ClusterState, 'runId' | 'cluster' | 'plan' | 'hop'>, deps: StepDeps): Promise<number> {
  const { plan, hop, cluster } = state;
  if (!plan || !hop) throw new Error('RecordHop needs the plan and the hop (ASL order)');
  const rollout = hop.rollout;
  await deps.store.updateHop(state.runId, cluster.key, hop.index, {
    outcome: 'SUCCEEDED',
    polls: hop.polls,
    endedAt: deps.now().toISOString(),
    // What the rollout gate found (docs/rollout-gate.md); a best-effort gate that could not look says so here.
    ...(rollout?.verdict
      ? {
          rollout: {
            verdict: rollout.verdict,
            reads: rollout.reads,
            desired: rollout.counts?.desired ?? null,
            updated: rollout.counts?.updated ?? null,
            available: rollout.counts?.available ?? null,
            faults: [],
            faultCount: 0,
            notes: rollout.notes ?? [],
          },
        }
      : {}),
    ...(rollout?.warning ? { warnings: [rollout.warning] } : {}),
  });
  // The ASL's HasNextHop test: another hop follows while nextHop + 1 < hopCount.
  const next = plan.nextHop + 1 < plan.hopCount ? plan.hops[plan.nextHop + 1] : undefined;
  await deps.store.updateCluster(state.runId, cluster.key, { step: 'RecordHop', hopsDone: hop.index, currentHop: next ? next.index : null });
  return plan.nextHop + 1;
}
