import { mapConcurrent } from '../concurrency/map-concurrent.js';
import type { WaveRecord } from '../store/fleet-records.js';
import { clusterKey } from '../workflow/state.js';
import { isDiscoveryMarker } from './lane-waves.js';
import type { LaneWaveEvent } from './read-lane-page.js';
import type { StepDeps } from './step-deps.js';

/** The counters' marker of one lane's wave: CloseLaneWave adds its counts once under it. */
export const laneWaveMarker = (wave: number, lane: number): string => `wave:${wave}:${lane}`;

// A lane whose child failed leaves clusters it never started PENDING, and maybe some RUNNING whose child executions
// Step Functions stops with it (a stopped `.sync` task stops its execution): both end ABORTED with this error.
const UNFINISHED = 'LaneWaveIncomplete';
const CLOSE_AT_ONCE = 10;

/**
 * CloseLaneWave: once a lane's clusters of a wave have ended, reads their outcomes from their records (not from the
 * child executions' status: a BLOCKED or SKIPPED cluster may end its execution either way) and adds them to the
 * run's counters once, atomically — the summary and the failure budget read the counters, never 10,000 records.
 *
 * @example
 * await closeLaneWave({ runId, lane: 3, wave: { index: 0, name: 'canary' } }, deps) // { lane: 3, counted: 4 }
 */
export async function closeLaneWave(event: LaneWaveEvent, deps: StepDeps, options: { unfinished?: boolean } = {}): Promise<{ lane: number; counted: number }> {
  const lane = await deps.store.getLane(event.runId, event.lane, { entries: false });
  if (!lane) return { lane: event.lane, counted: 0 };
  const { accountId, region } = lane.lane;
  const keys: string[] = [];
  for (let page = 0; ; page += 1) {
    const part = await deps.store.getWaveMembers(event.runId, event.wave.name, event.lane, page);
    if (!part) break;
    keys.push(...part.members.map((m) => clusterKey({ accountId, region, name: m.name })));
    if (page + 1 >= part.pages) break;
  }
  if (options.unfinished) {
    const error = { name: UNFINISHED, message: `the child execution of lane ${accountId}/${region} in wave ${event.wave.index + 1} ended before this cluster had an outcome` };
    await mapConcurrent(keys, CLOSE_AT_ONCE, (key) => deps.store.abortCluster(event.runId, key, error));
  }
  const outcomes = await deps.store.getClusterOutcomes(event.runId, keys);
  const counts: Record<string, number> = { hops: 0, waveFailed: 0 };
  for (const o of outcomes) {
    counts[o.status] = (counts[o.status] ?? 0) + 1;
    counts['hops'] = (counts['hops'] ?? 0) + o.hopsDone;
    // An aborted cluster spends the failure budget too: the next wave does not go on as if nothing had happened.
    if (o.status === 'FAILED' || o.status === 'ABORTED') counts['waveFailed'] = (counts['waveFailed'] ?? 0) + 1;
  }
  await deps.store.addRunCounts(event.runId, laneWaveMarker(event.wave.index, event.lane), counts);
  return { lane: event.lane, counted: outcomes.length };
}

/**
 * Closes a wave once its Distributed Map has ended (CheckFailureBudget): a lane whose child failed before its
 * CloseLaneWave (a Lambda failing past its retries) is closed here — its clusters without an outcome ABORTED with
 * `LaneWaveIncomplete`, its outcomes counted — so the failure budget and the summary count every cluster of the
 * wave. Then the wave's markers are forgotten and the wave recorded closed, in one UpdateItem.
 *
 * @returns how many lanes were closed here (0 when every lane closed itself)
 * @example
 * await closeWave('weekly-48', { index: 0, name: 'canary', lanes: [3, 7], clusters: 8 }, counted, deps) // 0
 */
export async function closeWave(runId: string, wave: WaveRecord, counted: ReadonlySet<string>, deps: StepDeps): Promise<number> {
  const open = wave.lanes.filter((lane) => !counted.has(laneWaveMarker(wave.index, lane)));
  await mapConcurrent(open, CLOSE_AT_ONCE, (lane) => closeLaneWave({ runId, lane, wave: { index: wave.index, name: wave.name } }, deps, { unfinished: true }));
  // Discovery's markers too: no discovery task runs once a wave has.
  const stale = [...wave.lanes.map((lane) => laneWaveMarker(wave.index, lane)), ...[...counted].filter(isDiscoveryMarker)];
  await deps.store.forgetRunCounted(runId, stale, wave.index);
  return open.length;
}
