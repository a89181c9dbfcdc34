import type { ClusterState } from '../workflow/state.js';
import type { ClusterResult } from './cluster-result.js';
import { clusterResult } from './cluster-result.js';
import type { StepDeps } from './step-deps.js';

/**
 * RecordDryRun: a dry run stops after the plan (already recorded by PlanUpgrade); the cluster ends PLANNED and
 * nothing in EKS changed.
 *
 * @example
 * await recordDryRun(state, deps) // { status: 'PLANNED', to: 'v1.19.0-eksbuild.1', … }
 */
export async function recordDryRun(state: Pick<ClusterState, 'runId' | 'cluster' | 'snapshot' | 'plan'>, deps: StepDeps): Promise<ClusterResult> {
  await deps.store.updateCluster(state.runId, state.cluster.key, { step: 'RecordDryRun', status: 'PLANNED', endedAt: deps.now().toISOString() });
  return clusterResult(state, 'PLANNED', state.plan?.target ?? null);
}
