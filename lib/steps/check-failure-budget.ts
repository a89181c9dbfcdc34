import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import type { StepDeps } from './step-deps.js';
import type { WaveCursor } from './index-waves.js';

/** The wave the loop runs next (its lanes: the Distributed Map's items), or `done`. */
export interface WaveStep extends WaveCursor {
  readonly done: boolean;
  readonly index: number;
  readonly name: string;
  readonly lanes: number[];
  /** The failure budget is spent: the wave's lanes only record their clusters SKIPPED. */
  readonly halt: boolean;
  readonly failed: number;
  readonly reason: string | null;
}

/**
 * CheckFailureBudget: before each wave, reads the run's counter of clusters that FAILED in earlier waves; at
 * `failureThreshold` (0: never) this wave and every later one is halted — its lanes record their clusters SKIPPED
 * with the reason — and the run remembers where it halted.
 *
 * @example
 * await checkFailureBudget({ runId, options, waves: { count: 3, next: 1, clusters: 120 } }, deps)
 * // { done: false, index: 1, name: '1', lanes: [0, 4], halt: false, failed: 0, next: 2, … }
 */
export async function checkFailureBudget(
  state: { runId: string; options: Pick<UpgradeOptions, 'failureThreshold'>; waves: WaveCursor },
  deps: StepDeps,
): Promise<WaveStep> {
  const { count, next, clusters } = state.waves;
  const idle = { count, clusters, index: next, name: '', lanes: [], halt: false, failed: 0, reason: null };
  if (next >= count) return { ...idle, done: true, next };
  const wave = await deps.store.getWave(state.runId, next);
  if (!wave) return { ...idle, done: true, next: count };
  const { counts } = await deps.store.getRunCounts(state.runId);
  const failed = counts['waveFailed'] ?? 0;
  const threshold = state.options.failureThreshold;
  const halt = threshold > 0 && failed >= threshold;
  const reason = halt ? `${failed} cluster(s) FAILED, failure threshold ${threshold}` : null;
  if (halt && reason) await deps.store.markHalted(state.runId, { wave: wave.index, name: wave.name, reason });
  return { count, clusters, done: false, index: wave.index, name: wave.name, lanes: wave.lanes, halt, failed, reason, next: wave.index + 1 };
}
