import type { ClusterState } from '../workflow/state.js';
import type { ClusterResult } from './cluster-result.js';
import { clusterResult } from './cluster-result.js';
import type { StepDeps } from './step-deps.js';
import { outcomeOf } from '../plan/cluster-decision.js';

/**
 * RecordDryRun: a dry run stops after the plan (already recorded by PlanUpgrade) and nothing in EKS changed. The
 * cluster ends PLANNED when the plan has hops, UNCHANGED when it is already at its target: the outcome a run would
 * have, in the words `cni-fleet plan` uses (lib/plan/cluster-decision.ts).
 *
 * @example
 * await recordDryRun(state, deps) // { status: 'PLANNED', to: 'v1.19.0-eksbuild.1', … }
 */
export async function recordDryRun(state: Pick<ClusterState, 'runId' | 'cluster' | 'snapshot' | 'plan'>, deps: StepDeps): Promise<ClusterResult> {
  const status = outcomeOf({ plan: state.plan }) === 'UNCHANGED' ? 'UNCHANGED' : 'PLANNED';
  await deps.store.updateCluster(state.runId, state.cluster.key, { step: 'RecordDryRun', status, endedAt: deps.now().toISOString() });
  return clusterResult(state, status, state.plan?.target ?? null);
}
