import { compareWaves } from '../fleet/lanes.js';
import type { ClusterStatus } from '../store/progress-items.js';
import type { WaveMember } from '../store/fleet-records.js';
import type { RecordedError } from '../store/progress-store.js';
import type { StepDeps } from './step-deps.js';

/** One of a lane's recorded clusters, as discovery left it. */
export interface LaneCluster {
  readonly name: string;
  readonly status: ClusterStatus;
  readonly wave?: string | undefined;
  readonly expectedHops?: number | undefined;
  readonly roleArn?: string | undefined;
}

/** A lane's clusters by their discovery outcome. */
export interface LaneTally {
  readonly clusters: number;
  readonly pending: number;
  readonly skipped: number;
  readonly failed: number;
}

// A cluster whose add-on could not be read (self-managed, or unreadable then) is ordered first: a migration is a
// create plus its hops, the longest work a cluster can have.
export const UNKNOWN_WORK = 99;

const DISCOVERY_MARKER = 'discovered:';
/** The counters' marker of one lane's discovery: its counts are added once under it, whoever closes the lane. */
const laneDiscoveryMarker = (lane: number): string => `${DISCOVERY_MARKER}${lane}`;
/** Whether a counters' marker is a discovery's (forgotten once the first wave has ended). */
export const isDiscoveryMarker = (marker: string): boolean => marker.startsWith(DISCOVERY_MARKER);

/**
 * Closes one lane's discovery: its PENDING clusters into the member lists of their waves, the run's counters
 * (once per lane, whoever closes it), then the lane marked discovered — in that order, so a lane marked discovered
 * is always counted. DiscoverLane closes its own lane; IndexWaves closes a lane whose child failed before it could,
 * from what the child had recorded, so a cluster discovery recorded PENDING always runs and is always counted.
 *
 * @param laneError the lane's own fault (it could not be listed, or its discovery may have missed clusters): recorded
 *   on the lane and counted in `lanesFailed`, which fails the run
 * @example
 * await closeLaneDiscovery('weekly-48', 3, [{ name: 'c1', status: 'PENDING', wave: 'canary', expectedHops: 2 }], null, deps)
 * // { clusters: 1, pending: 1, skipped: 0, failed: 0 }
 */
export async function closeLaneDiscovery(runId: string, lane: number, clusters: readonly LaneCluster[], laneError: RecordedError | null, deps: StepDeps): Promise<LaneTally> {
  const waves = new Map<string, WaveMember[]>();
  for (const c of clusters) {
    if (c.status !== 'PENDING') continue;
    const members = waves.get(c.wave ?? '') ?? [];
    members.push({ name: c.name, ...(c.roleArn ? { roleArn: c.roleArn } : {}), expectedHops: c.expectedHops ?? UNKNOWN_WORK });
    waves.set(c.wave ?? '', members);
  }
  // Longest expected work first (LPT scheduling): the lane starts its long upgrades early, so a wave does not end
  // with a few long clusters running alone while the lane's concurrency sits idle (bench/). Stable: ties keep order.
  for (const [wave, members] of [...waves].sort(([a], [b]) => compareWaves(a, b)))
    await deps.store.putWaveMembers(runId, wave, lane, [...members].sort((a, b) => b.expectedHops - a.expectedHops));

  const tally: LaneTally = {
    clusters: clusters.length,
    pending: clusters.filter((c) => c.status === 'PENDING').length,
    skipped: clusters.filter((c) => c.status === 'SKIPPED').length,
    failed: clusters.filter((c) => c.status === 'FAILED').length,
  };
  await deps.store.addRunCounts(runId, laneDiscoveryMarker(lane), {
    clusters: tally.clusters,
    pending: tally.pending,
    discoverySkipped: tally.skipped,
    discoveryFailed: tally.failed,
    lanesFailed: laneError ? 1 : 0,
  });
  await deps.store.markLaneDiscovered(runId, lane, laneError);
  return tally;
}
