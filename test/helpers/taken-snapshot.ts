import type { Snapshot, StartHoldState } from '../../lib/workflow/state.js';

/**
 * The snapshot TakeSnapshot took, for a test that runs the steps in sequence without the workflow's hold loop.
 *
 * @throws Error when a rollout control held the cluster: such a test has no HoldStart to wait in
 */
export function takenSnapshot(taken: Snapshot | StartHoldState): Snapshot {
  if ('hold' in taken) throw new Error(`the cluster was held before its first change: ${taken.hold.reason}`);
  return taken;
}
