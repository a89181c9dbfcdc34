/**
 * Simulated time. An add-on update takes a minute or more on EKS (docs/eks-behaviour.md#how-long-an-update-takes); the
 * simulator runs `speed` virtual seconds per real second so a rehearsal of a fleet finishes in seconds, and every
 * state transition is computed from `now()` on the next request (no timers), which keeps it
 * deterministic for a given sequence of requests and clock readings.
 */
export interface VirtualClock {
  /** Virtual epoch milliseconds. */
  now(): number;
  /** Virtual seconds per real second. */
  readonly speed: number;
  /** Real milliseconds that a virtual duration of `virtualMs` takes at this speed. */
  toReal(virtualMs: number): number;
  /** Virtual milliseconds that pass during `realMs` real milliseconds. */
  toVirtual(realMs: number): number;
  /** Jumps virtual time forward by `virtualMs` (tests: reach "after the update" without waiting). */
  advance(virtualMs: number): void;
}

export interface VirtualClockOptions {
  /** Virtual seconds per real second; default 20. */
  speed?: number;
  /** Virtual epoch ms at creation; default the real time at creation. */
  start?: number;
  /** The real clock, injectable for tests of the clock itself. */
  realNow?: () => number;
}

/**
 * Creates a clock whose `now()` advances `speed`× faster than real time from `start`.
 *
 * @example
 * const clock = createVirtualClock({ speed: 20 });
 * clock.toReal(60_000) // 3000: a 60 s virtual update takes 3 s of real time
 */
export function createVirtualClock(options: VirtualClockOptions = {}): VirtualClock {
  const speed = options.speed ?? 20;
  if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const realNow = options.realNow ?? Date.now;
  const realStart = realNow();
  const virtualStart = options.start ?? realStart;
  let skipped = 0;
  return {
    speed,
    now: () => virtualStart + skipped + (realNow() - realStart) * speed,
    toReal: (virtualMs) => virtualMs / speed,
    toVirtual: (realMs) => realMs * speed,
    advance: (virtualMs) => {
      if (!(virtualMs >= 0)) throw new RangeError(`advance takes a non-negative duration, got ${virtualMs}`);
      skipped += virtualMs;
    },
  };
}
