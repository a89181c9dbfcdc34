/** Peak memory of this process (simulator, dynalite, runner and handlers all live in it). */
export interface MemoryPeak {
  /** Highest RSS seen by sampling, MiB. */
  readonly rssMiB: number;
  /** Highest V8 heap in use seen by sampling, MiB. */
  readonly heapUsedMiB: number;
  /** The kernel's own high-water mark (getrusage ru_maxrss), MiB: catches peaks between samples. */
  readonly maxRssMiB: number;
}

const MIB = 1024 * 1024;

/**
 * Samples process.memoryUsage() every `intervalMs` until stopped.
 *
 * @example
 * const sampler = startMemorySampler(250);
 * await work();
 * const peak = sampler.stop(); // { rssMiB, heapUsedMiB, maxRssMiB }
 */
export function startMemorySampler(intervalMs = 250): { stop(): MemoryPeak } {
  let rss = 0;
  let heapUsed = 0;
  const sample = (): void => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heapUsed = Math.max(heapUsed, usage.heapUsed);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      // ru_maxrss is in KiB on Linux.
      const maxRss = process.resourceUsage().maxRSS * 1024;
      return { rssMiB: rss / MIB, heapUsedMiB: heapUsed / MIB, maxRssMiB: maxRss / MIB };
    },
  };
}
