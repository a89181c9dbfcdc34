import { compareWaves } from '../fleet/lanes.js';
import { closeLaneDiscovery } from './lane-waves.js';
import type { StepDeps } from './step-deps.js';

/** Where the wave loop starts: how many waves there are and which comes next. Small for any fleet. */
export interface WaveCursor {
  readonly count: number;
  readonly next: number;
  readonly clusters: number;
}

const UNFINISHED = 'LaneDiscoveryIncomplete';

/**
 * IndexWaves: after every lane's discovery, orders the waves (`canary` first, then natural order, untagged
 * last) and records, per wave, the lanes that have clusters in it. A lane whose discovery never finished (its
 * child failed past its own Catch) is closed here from what it recorded: its recorded clusters join their waves, a
 * listed cluster it never recorded is FAILED, and a selector's lane counts as failed, so every cluster the run knows
 * has an outcome and the summary says what may be missing.
 *
 * @example
 * await indexWaves({ runId: 'weekly-48' }, deps) // { count: 3, next: 0, clusters: 120 }
 */
export async function indexWaves(state: { runId: string; options?: { perLaneConcurrency: number } }, deps: StepDeps): Promise<WaveCursor> {
  const { runId } = state;
  for (const lane of await deps.store.listUndiscoveredLanes(runId)) {
    const stored = await deps.store.getLane(runId, lane.lane);
    const recorded = await deps.store.listLaneClusters(runId, lane);
    const entries = stored?.entries ?? null;
    const roleOf = new Map((entries ?? []).map((e) => [e.name, e.roleArn]));
    const names = new Set(recorded.map((c) => c.clusterName));
    // A listed cluster the child never recorded fails with the lane's fault; what it recorded goes on as recorded.
    const message = `discovery of lane ${lane.accountId}/${lane.region} did not finish`;
    const unrecorded = (entries ?? [])
      .filter((e) => !names.has(e.name))
      .map((e) => ({ accountId: lane.accountId, region: lane.region, clusterName: e.name, status: 'FAILED' as const, step: 'IndexWaves', error: { name: UNFINISHED, message } }));
    await deps.store.putDiscoveredClusters(runId, unrecorded);
    const clusters = [...recorded, ...unrecorded].map((c) => ({ ...c, name: c.clusterName, roleArn: entries ? roleOf.get(c.clusterName) : stored?.lane.roleArn }));
    // A list names every cluster of its lane, so each has an outcome now. A selector's lane may have had clusters the
    // child never recorded: that is the lane's own fault, and the run's.
    const laneError = entries ? null : { name: UNFINISHED, message: `${message}: clusters it listed may be missing from the run` };
    await closeLaneDiscovery(runId, lane.lane, clusters, laneError, deps);
  }
  // A lane's expected length in hops: its longest upgrade, or its work spread over its concurrency.
  const perLane = state.options?.perLaneConcurrency ?? 1;
  const byWave = new Map<string, { lanes: { lane: number; length: number }[]; clusters: number }>();
  for (const { wave, lane, clusters, hops, longestHops } of await deps.store.listWaveLanes(runId)) {
    const entry = byWave.get(wave) ?? { lanes: [], clusters: 0 };
    entry.lanes.push({ lane, length: Math.max(longestHops, hops / perLane) });
    entry.clusters += clusters;
    byWave.set(wave, entry);
  }
  // Longest lane first (LPT across lanes, as each lane orders its clusters): the Map starts its children in item
  // order, so the long lanes start early and the wave does not end with one long lane running alone. Measured at
  // 10,000 clusters in 1,000 lanes, 100 at once (docs/fleet-workflow.md): 1.145× the bound in lane order.
  const waves = [...byWave.entries()]
    .sort(([a], [b]) => compareWaves(a, b))
    .map(([name, w], index) => ({ index, name, lanes: w.lanes.sort((a, b) => b.length - a.length || a.lane - b.lane).map((l) => l.lane), clusters: w.clusters }));
  await deps.store.putWaves(runId, waves);
  return { count: waves.length, next: 0, clusters: waves.reduce((n, w) => n + w.clusters, 0) };
}
