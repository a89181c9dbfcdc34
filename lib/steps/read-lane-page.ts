import { mapConcurrent } from '../concurrency/map-concurrent.js';
import { ProgressRecordNotFoundError } from '../errors.js';
import type { StepDeps } from './step-deps.js';
import { clusterKey } from '../workflow/state.js';

/** One lane's work in one wave (the wave Map's ItemSelector). */
export interface LaneWaveEvent {
  readonly runId: string;
  readonly lane: number;
  readonly wave: { readonly index: number; readonly name: string };
  /** The failure budget halted this wave: record the clusters SKIPPED, start nothing. */
  readonly halted?: boolean | undefined;
  readonly reason?: string | null | undefined;
  /** The page to read (0 first). */
  readonly cursor?: number | undefined;
}

/** One page of a lane's clusters, as each child execution's `cluster` input needs them; `next` is null after the last. */
export interface LanePage {
  readonly clusters: { name: string; region: string; accountId: string; roleArn?: string }[];
  readonly next: number | null;
}

const HALT_WRITES_AT_ONCE = 10;

/**
 * ReadLanePage: the lane's clusters of this wave, a page at a time, longest expected upgrade first (discovery
 * stored them in that order). In a halted wave it records every one of them SKIPPED with the reason instead and
 * returns no cluster.
 *
 * @example
 * await readLanePage({ runId, lane: 3, wave: { index: 0, name: 'canary' }, cursor: 0 }, deps) // { clusters: [...], next: null }
 */
export async function readLanePage(event: LaneWaveEvent, deps: StepDeps): Promise<LanePage> {
  const lane = await deps.store.getLane(event.runId, event.lane, { entries: false });
  if (!lane) throw new ProgressRecordNotFoundError('LANE', `RUN#${event.runId}`, `LANE#${event.lane}`);
  const { accountId, region } = lane.lane;
  if (event.halted) {
    for (let page = 0; ; page += 1) {
      const part = await deps.store.getWaveMembers(event.runId, event.wave.name, event.lane, page);
      if (!part) break;
      await mapConcurrent(part.members, HALT_WRITES_AT_ONCE, (m) =>
        deps.store.updateCluster(event.runId, clusterKey({ accountId, region, name: m.name }), {
          status: 'SKIPPED',
          step: 'CheckFailureBudget',
          error: { name: 'FailureThresholdReached', message: `wave ${event.wave.index + 1} (${event.wave.name || 'untagged'}) halted: ${event.reason ?? 'the failure budget is spent'}` },
        }),
      );
      if (page + 1 >= part.pages) break;
    }
    return { clusters: [], next: null };
  }
  const cursor = event.cursor ?? 0;
  const part = await deps.store.getWaveMembers(event.runId, event.wave.name, event.lane, cursor);
  if (!part) return { clusters: [], next: null };
  return {
    clusters: part.members.map((m) => ({ name: m.name, region, accountId, ...(m.roleArn ? { roleArn: m.roleArn } : {}) })),
    next: cursor + 1 < part.pages ? cursor + 1 : null,
  };
}
