import type { ClusterOutcome, ClusterState } from '../workflow/state.js';

/** What a cluster execution returns (its output) and what the fleet summary lists. */
export interface ClusterResult {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly status: ClusterOutcome;
  readonly from: string | null;
  readonly to: string | null;
  readonly hops: number;
  readonly error: { readonly name: string; readonly message: string } | null;
}

export const clusterResult = (
  state: Pick<ClusterState, 'cluster' | 'snapshot' | 'plan'> & Partial<Pick<ClusterState, 'hop'>>,
  status: ClusterOutcome,
  to: string | null,
  error: ClusterResult['error'] = null,
): ClusterResult => ({
  name: state.cluster.name,
  region: state.cluster.region,
  accountId: state.cluster.accountId,
  status,
  from: state.snapshot?.addonVersion ?? null,
  to,
  // Hops done: the last recorded hop's next position, else (a hop in progress or failed) its own position.
  hops: state.plan ? Math.min(state.hop?.next ?? state.hop?.position ?? state.plan.nextHop, state.plan.hopCount) : 0,
  error,
});
