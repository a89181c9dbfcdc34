import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../sim/clock.js';

describe('createVirtualClock', () => {
  it('runs speed× faster than the real clock from its start', () => {
    // Prepare
    let real = 1_000;
    const clock = createVirtualClock({ speed: 20, start: 5_000_000, realNow: () => real });
    // Act
    real += 3_000;
    // Assess
    expect(clock.now()).toBe(5_000_000 + 60_000);
    expect(clock.speed).toBe(20);
  });

  it('converts durations between virtual and real time', () => {
    // Prepare
    const clock = createVirtualClock({ speed: 20, realNow: () => 0 });
    // Act / Assess
    expect(clock.toReal(60_000)).toBe(3_000);
    expect(clock.toVirtual(3_000)).toBe(60_000);
  });

  it('advance jumps virtual time without real time passing', () => {
    // Prepare
    const clock = createVirtualClock({ speed: 1000, start: 0, realNow: () => 42 });
    // Act
    clock.advance(86_400_000);
    // Assess
    expect(clock.now()).toBe(86_400_000);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('defaults to speed 20 starting at the real time', () => {
    // Act
    const clock = createVirtualClock({ realNow: () => 1_700_000_000_000 });
    // Assess
    expect(clock.speed).toBe(20);
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(() => createVirtualClock({ speed: 0 })).toThrow(RangeError);
  });
});
