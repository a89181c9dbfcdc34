import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../../lib/concurrency/map-concurrent.js';

describe('mapConcurrent', () => {
  it('keeps input order even when later items finish first', async () => {
    // Prepare
    const release: (() => void)[] = [];
    const items = [0, 1, 2, 3];

    // Act
    const mapped = mapConcurrent(items, 4, (n) => new Promise<number>((resolve) => release.push(() => resolve(n * 10))));
    await Promise.resolve();
    [...release].reverse().forEach((r) => r());

    // Assess
    expect(await mapped).toEqual([0, 10, 20, 30]);
  });

  it('never has more than `limit` calls in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;

    // Act
    const mapped = await mapConcurrent(Array.from({ length: 20 }, (_, i) => i), 3, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return n;
    });

    // Assess
    expect(mapped).toHaveLength(20);
    expect(most).toBe(3);
  });

  it('rejects with the first error', async () => {
    // Act
    const mapped = mapConcurrent([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error('boom 2');
      return n;
    });

    // Assess
    await expect(mapped).rejects.toThrow('boom 2');
  });

  it('maps an empty list without calling fn', async () => {
    // Act
    const mapped = await mapConcurrent([], 5, () => Promise.reject(new Error('called')));

    // Assess
    expect(mapped).toEqual([]);
  });
});
