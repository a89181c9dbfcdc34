import { setTimeout as sleep } from 'node:timers/promises';
import { isExecutionDone, type RunProgress } from './run-progress.js';

/** How `watchRun` polls. */
export interface WatchOptions {
  /** Pause between reads. */
  readonly intervalMs: number;
  /**
   * Reads before giving up while the execution still runs. A Standard execution may run for a year, so the
   * caller sizes this; the loop never polls forever (loops have an attempt cap).
   */
  readonly maxPolls: number;
  /** Called with every read, the last one included. */
  readonly onUpdate?: (progress: RunProgress) => void;
  /** Aborts the wait between reads (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** The last read, and whether the execution had ended by then. */
export interface WatchResult {
  readonly progress: RunProgress;
  readonly ended: boolean;
}

/**
 * Reads the run until its execution ends, `maxPolls` reads were made, or `signal` aborts.
 *
 * @example
 * const { progress, ended } = await watchRun(() => readRunProgress({ sfn, store, executionArn }), { intervalMs: 5000, maxPolls: 10_000 });
 */
export async function watchRun(read: () => Promise<RunProgress>, options: WatchOptions): Promise<WatchResult> {
  for (let poll = 1; ; poll += 1) {
    const progress = await read();
    options.onUpdate?.(progress);
    const ended = isExecutionDone(progress.execution?.status ?? 'SUCCEEDED');
    if (ended || poll >= options.maxPolls || options.signal?.aborted) return { progress, ended };
    try {
      await sleep(options.intervalMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      // Aborted while waiting: one last read below reports where the run stands.
      const last = await read();
      options.onUpdate?.(last);
      return { progress: last, ended: isExecutionDone(last.execution?.status ?? 'SUCCEEDED') };
    }
  }
}
