import { describe, expect, it } from 'vitest';
import { expectedLaneHops } from '../../../lib/steps/index-waves.js';

describe('expectedLaneHops', () => {
  const lane = { wave: '', lane: 0 };

  it('packs the lane’s members longest first onto its slots, as the lane runs them', () => {
    // Act + Assess: five 4-hop clusters, four at once: one slot runs two of them (work / slots would say 5).
    expect(expectedLaneHops({ ...lane, clusters: 5, hops: 20, longestHops: 4, hopCounts: { '4': 5 } }, 4)).toBe(8);
    // 8, 7, 6, 5, 4 on two slots, longest first: 8 + 5 + 4 | 7 + 6 → 17.
    expect(expectedLaneHops({ ...lane, clusters: 5, hops: 30, longestHops: 8, hopCounts: { '8': 1, '7': 1, '6': 1, '5': 1, '4': 1 } }, 2)).toBe(17);
    // Fewer members than slots: the longest.
    expect(expectedLaneHops({ ...lane, clusters: 2, hops: 9, longestHops: 6, hopCounts: { '6': 1, '3': 1 } }, 4)).toBe(6);
  });

  it('falls back to the longest upgrade or the work over the slots for a lane recorded without its counts', () => {
    // Act + Assess
    expect(expectedLaneHops({ ...lane, clusters: 5, hops: 20, longestHops: 4 }, 4)).toBe(5);
    expect(expectedLaneHops({ ...lane, clusters: 2, hops: 9, longestHops: 6 }, 4)).toBe(6);
  });
});
