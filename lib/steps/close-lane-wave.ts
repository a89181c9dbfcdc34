import { clusterKey } from '../workflow/state.js';
import type { LaneWaveEvent } from './read-lane-page.js';
import type { StepDeps } from './step-deps.js';

/**
 * CloseLaneWave: once a lane's clusters of a wave have ended, reads their outcomes from their records (not from the
 * child executions' status: a BLOCKED or SKIPPED cluster may end its execution either way) and adds them to the
 * run's counters once, atomically — the summary and the failure budget read the counters, never 10,000 records.
 *
 * @example
 * await closeLaneWave({ runId, lane: 3, wave: { index: 0, name: 'canary' } }, deps) // { lane: 3, counted: 4 }
 */
export async function closeLaneWave(event: LaneWaveEvent, deps: StepDeps): Promise<{ lane: number; counted: number }> {
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
  const outcomes = await deps.store.getClusterOutcomes(event.runId, keys);
  const counts: Record<string, number> = { hops: 0, waveFailed: 0 };
  for (const o of outcomes) {
    counts[o.status] = (counts[o.status] ?? 0) + 1;
    counts['hops'] = (counts['hops'] ?? 0) + o.hopsDone;
    if (o.status === 'FAILED') counts['waveFailed'] = (counts['waveFailed'] ?? 0) + 1;
  }
  await deps.store.addRunCounts(event.runId, `wave:${event.wave.index}:${event.lane}`, counts);
  return { lane: event.lane, counted: outcomes.length };
}
