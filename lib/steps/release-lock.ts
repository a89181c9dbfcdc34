import type { ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';

/**
 * ReleaseLock: deletes the cluster's lock if this execution holds it (a conditional delete; releasing a lock
 * that expired and was taken over is a no-op).
 *
 * @example
 * await releaseLock(state, deps) // { released: true }
 */
export async function releaseLock(state: Pick<ClusterState, 'executionId'> & { cluster: Pick<ClusterState['cluster'], 'key'> }, deps: StepDeps): Promise<{ released: boolean }> {
  return { released: await deps.store.releaseLock(state.cluster.key, state.executionId) };
}
