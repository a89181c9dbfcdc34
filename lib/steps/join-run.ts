import type { ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';

/**
 * Makes sure the run has this cluster's record and marks it RUNNING at `step`: the fleet's DiscoverLane
 * wrote it PENDING already; a cluster started on its own has none yet (putCluster is create-once).
 */
export async function joinRun(state: Pick<ClusterState, 'runId' | 'cluster'>, deps: StepDeps, step: string): Promise<void> {
  const { cluster } = state;
  await deps.store.putCluster(state.runId, { accountId: cluster.accountId, region: cluster.region, clusterName: cluster.name, status: 'RUNNING', step });
  await deps.store.updateCluster(state.runId, cluster.key, { status: 'RUNNING', step });
}
