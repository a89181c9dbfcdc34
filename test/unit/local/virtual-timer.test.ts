import { describe, expect, it } from 'vitest';
import { eventTimer } from '../../../rehearsal/runner/virtual-timer.js';
import { createVirtualClock } from '../../../sim/clock.js';

const START = Date.UTC(2026, 10, 22);
const frozenClock = () => createVirtualClock({ start: START, realNow: () => 0, speed: 1 });

describe('eventTimer', () => {
  it('wakes sleepers in deadline order, with the clock at each deadline', async () => {
    // Prepare
    const clock = frozenClock();
    const timer = eventTimer(clock);
    const woke: { name: string; at: number }[] = [];
    const nap = async (name: string, ms: number) => {
      await timer.sleep(ms);
      woke.push({ name, at: clock.now() - START });
    };
    // Act
    await Promise.all([nap('late', 90_000), nap('early', 15_000), nap('middle', 60_000), nap('tie', 15_000)]);
    // Assess
    expect(woke).toEqual([
      { name: 'early', at: 15_000 },
      { name: 'tie', at: 15_000 },
      { name: 'middle', at: 60_000 },
      { name: 'late', at: 90_000 },
    ]);
  });

  it('holds virtual time still while a tracked task runs', async () => {
    // Prepare
    const clock = frozenClock();
    const timer = eventTimer(clock);
    const seen: number[] = [];
    let finish!: () => void;
    const task = timer.track(async () => {
      seen.push(clock.now() - START);
      await new Promise<void>((resolve) => (finish = resolve));
      seen.push(clock.now() - START);
    });
    const sleeper = timer.sleep(30_000).then(() => seen.push(clock.now() - START));
    // Act
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish();
    await Promise.all([task, sleeper]);
    // Assess
    expect(seen).toEqual([0, 0, 30_000]);
  });

  it('lets a woken sleeper run its next task before time moves on', async () => {
    // Prepare
    const clock = frozenClock();
    const timer = eventTimer(clock);
    const log: string[] = [];
    const cluster = async (name: string, wait: number) => {
      await timer.sleep(wait);
      await timer.track(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`${name}@${(clock.now() - START) / 1000}`);
      });
      await timer.sleep(wait);
      log.push(`${name} done@${(clock.now() - START) / 1000}`);
    };
    // Act
    await Promise.all([cluster('a', 10_000), cluster('b', 25_000)]);
    // Assess
    expect(log).toEqual(['a@10', 'a done@20', 'b@25', 'b done@50']);
  });

  it('wakes an aborted sleeper at once, and time no longer jumps to its deadline', async () => {
    // Prepare
    const clock = frozenClock();
    const timer = eventTimer(clock);
    const controller = new AbortController();
    const woke: string[] = [];
    const stopped = timer.sleep(60_000, controller.signal).then(() => woke.push(`stopped@${clock.now() - START}`));
    const other = timer.sleep(10_000).then(() => woke.push(`other@${clock.now() - START}`));
    // Act
    await other;
    controller.abort();
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Assess
    expect(woke).toEqual(['other@10000', 'stopped@10000']);
    expect(clock.now() - START).toBe(10_000);
  });
});
