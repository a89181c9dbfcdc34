import type { VirtualClock } from '../../sim/clock.js';

/**
 * How the local runner spends virtual time: Wait states and Retry intervals sleep on it, and every task runs
 * inside `track` so the timer knows when the whole workflow is waiting.
 */
export interface VirtualTimer {
  /**
   * Resolves once `virtualMs` of virtual time have passed, or at once when `signal` aborts (a stopped execution's
   * Wait must not hold the clock's next jump).
   */
  sleep(virtualMs: number, signal?: AbortSignal): Promise<void>;
  /** Runs a task; while any task runs, virtual time does not jump. */
  track<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Virtual time runs `speed`× real time (the simulator's scaled clock): a sleep is a real timer of
 * `virtualMs / speed`. The time the code itself takes counts too, multiplied by `speed`.
 *
 * @example
 * const timer = scaledTimer(100); await timer.sleep(60_000); // 600 ms real
 */
export function scaledTimer(speed: number): VirtualTimer {
  return {
    sleep: (virtualMs, signal) =>
      new Promise((resolve) => {
        if (signal?.aborted) return resolve();
        const timeout = setTimeout(() => {
          signal?.removeEventListener('abort', stop);
          resolve();
        }, virtualMs / speed);
        const stop = (): void => {
          clearTimeout(timeout);
          resolve();
        };
        signal?.addEventListener('abort', stop, { once: true });
      }),
    track: (work) => work(),
  };
}

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

/**
 * Discrete-event virtual time over a clock that only moves when told (`createVirtualClock({ realNow: () => 0 })`):
 * while any task runs the clock stands still; once every execution is asleep (no task running, microtasks and
 * I/O callbacks drained) it jumps to the earliest wake-up and wakes the sleepers due then, in the order they
 * fell asleep. A run's virtual duration then depends only on the workflow (its Waits, polls, retries, Map
 * concurrency) and the simulator's update durations, not on how busy this machine is; its wall time is only
 * the CPU the run needs.
 *
 * @example
 * const clock = createVirtualClock({ start: Date.now(), realNow: () => 0 });
 * const timer = eventTimer(clock);
 * await timer.sleep(60_000); // returns at once in real time; clock.now() moved 60 s
 */
export function eventTimer(clock: VirtualClock): VirtualTimer {
  let active = 0;
  let seq = 0;
  let checking = false;
  /** Bumped by every task start: a task that started and ended between two turns still resets the count. */
  let started = 0;
  const sleepers: Sleeper[] = [];

  // Two check-phase turns with nothing running: every promise continuation and I/O callback that a finished
  // task set off has had its turn, so whoever is still asleep is waiting for time to pass.
  const check = (quietTurns: number, seen: number): void => {
    if (active > 0 || sleepers.length === 0) {
      checking = false;
      return;
    }
    if (quietTurns < 2 || seen !== started) {
      const turns = seen === started ? quietTurns + 1 : 1;
      const mark = started;
      setImmediate(() => check(turns, mark));
      return;
    }
    checking = false;
    sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const at = sleepers[0]?.at ?? clock.now();
    if (at > clock.now()) clock.advance(at - clock.now());
    let due = 0;
    while (due < sleepers.length && (sleepers[due]?.at ?? Infinity) <= at) due += 1;
    for (const sleeper of sleepers.splice(0, due)) sleeper.wake();
    schedule();
  };
  const schedule = (): void => {
    if (checking) return;
    checking = true;
    const now = started;
    setImmediate(() => check(1, now));
  };

  return {
    sleep(virtualMs, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const sleeper: Sleeper = {
          at: clock.now() + Math.max(0, virtualMs),
          seq: (seq += 1),
          wake: () => {
            signal?.removeEventListener('abort', stop);
            resolve();
          },
        };
        const stop = (): void => {
          const i = sleepers.indexOf(sleeper);
          if (i >= 0) sleepers.splice(i, 1);
          resolve();
        };
        signal?.addEventListener('abort', stop, { once: true });
        sleepers.push(sleeper);
        schedule();
      });
    },
    async track(work) {
      active += 1;
      started += 1;
      try {
        return await work();
      } finally {
        active -= 1;
        if (active === 0) schedule();
      }
    },
  };
}
