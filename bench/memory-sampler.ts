import { appendFileSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

/** Peak memory of this process (simulator, dynalite, runner and handlers all live in it). */
export interface MemoryPeak {
  /** Highest RSS seen by sampling, MiB. */
  readonly rssMiB: number;
  /** Highest V8 heap in use seen by sampling, MiB. */
  readonly heapUsedMiB: number;
  /** Highest V8 heap reserved (heapTotal: used, free and fragmented pages), MiB. */
  readonly heapTotalMiB: number;
  /** Highest memory outside the V8 heap held by JavaScript objects (Buffers, ArrayBuffers), MiB. */
  readonly externalMiB: number;
  /** The V8 heap's limit in this process (--max-old-space-size or V8's default for this machine), MiB. */
  readonly heapLimitMiB: number;
  /** The kernel's own high-water mark (getrusage ru_maxrss), MiB: catches peaks between samples. */
  readonly maxRssMiB: number;
}

const MIB = 1024 * 1024;

/**
 * Samples process.memoryUsage() every `intervalMs` until stopped. With `tracePath`, a sample every 5 s is also
 * appended to that file as one line of JSON (seconds since start and MiB of each measure), to see what grows when;
 * under `node --expose-gc` with the heap still reachable after a full collection (`live`).
 *
 * @example
 * const sampler = startMemorySampler(250);
 * await work();
 * const peak = sampler.stop(); // { rssMiB, heapUsedMiB, heapTotalMiB, externalMiB, heapLimitMiB, maxRssMiB }
 */
export function startMemorySampler(intervalMs = 250, tracePath?: string): { stop(): MemoryPeak } {
  let rss = 0;
  let heapUsed = 0;
  let heapTotal = 0;
  let external = 0;
  const started = performance.now();
  let lastTrace = -Infinity;
  if (tracePath) writeFileSync(tracePath, '');
  const sample = (): void => {
    const usage = process.memoryUsage();
    rss = Math.max(rss, usage.rss);
    heapUsed = Math.max(heapUsed, usage.heapUsed);
    heapTotal = Math.max(heapTotal, usage.heapTotal);
    external = Math.max(external, usage.external);
    const now = performance.now();
    if (tracePath && now - lastTrace >= 5_000) {
      lastTrace = now;
      const mib = (n: number): number => Math.round(n / MIB);
      // With node --expose-gc, the heap that is still reachable after a full collection (what the run holds).
      const collect = (globalThis as { gc?: () => void }).gc;
      let live: number | undefined;
      if (collect) {
        collect();
        live = mib(process.memoryUsage().heapUsed);
      }
      appendFileSync(tracePath, `${JSON.stringify({ s: Math.round((now - started) / 1000), rss: mib(usage.rss), heapUsed: mib(usage.heapUsed), heapTotal: mib(usage.heapTotal), external: mib(usage.external), arrayBuffers: mib(usage.arrayBuffers), ...(live === undefined ? {} : { live }) })}\n`);
    }
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
      return {
        rssMiB: rss / MIB,
        heapUsedMiB: heapUsed / MIB,
        heapTotalMiB: heapTotal / MIB,
        externalMiB: external / MIB,
        heapLimitMiB: getHeapStatistics().heap_size_limit / MIB,
        maxRssMiB: maxRss / MIB,
      };
    },
  };
}
