import type { ClusterState, HopState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';

/**
 * Closes a hop that PollHop found done (EKS and the rollout gate): its record becomes SUCCEEDED with its polls, end
 * time and the gate's finding, and the cluster's record moves on in the same write — `hopsDone` counts this hop
 * and `currentHop` names the next one (null after the last), so the ApplyHop that follows need not write it again
 * (docs/progress-table.md). Part of the PollHop that saw the hop done, not a state of its own: one state transition
 * and one Lambda invocation less per hop. Idempotent: a retried poll writes the same values (an ended hop's record
 * is left as it is).
 *
 * @returns the plan position of the next hop (hopCount after the last)
 * @example
 * await recordHop(state, deps, hop) // 1: the position of the next hop
 */
export async function recordHop(state: Pick<ClusterState, 'runId' | 'cluster'> & Partial<Pick<ClusterState, 'plan'>>, deps: StepDeps, hop: HopState): Promise<number> {
  const { plan, cluster } = state;
  if (!plan) throw new Error('PollHop needs the plan to record a hop (ASL order)');
  const position = hop.position ?? plan.nextHop;
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
  const next = plan.hops[position + 1];
  await deps.store.updateCluster(state.runId, cluster.key, { step: 'PollHop', hopsDone: hop.index, currentHop: next ? next.index : null });
  return position + 1;
}
