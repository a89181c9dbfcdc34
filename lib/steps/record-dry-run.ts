import type { ClusterState } from '../workflow/state.js';
import type { ClusterResult } from './cluster-result.js';
import { clusterResult } from './cluster-result.js';
import type { StepDeps } from './step-deps.js';

/**
 * RecordDryRun: a dry run stops after the plan (already recorded by PlanUpgrade); nothing in EKS changed. A cluster
 * with hops to make ends PLANNED; one already at its target ends UNCHANGED, as a real run would leave it, so the dry
 * run's outcome says what the run would do.
 *
 * @example
 * await recordDryRun(state, deps) // { status: 'PLANNED', to: 'v1.19.0-eksbuild.1', … }
 */
export async function recordDryRun(state: Pick<ClusterState, 'runId' | 'cluster' | 'snapshot' | 'plan'>, deps: StepDeps): Promise<ClusterResult> {
  const status = state.plan && state.plan.hops.length === 0 ? 'UNCHANGED' : 'PLANNED';
  await deps.store.updateCluster(state.runId, state.cluster.key, { step: 'RecordDryRun', status, endedAt: deps.now().toISOString() });
  return clusterResult(state, status, state.plan?.target ?? null);
}
