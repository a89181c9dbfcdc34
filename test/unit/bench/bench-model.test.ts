import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../../bench/fleet-generator.js';
import { makespanBound } from '../../../bench/lower-bound.js';
import { runCost } from '../../../bench/prices.js';
import { FleetFile } from '../../../lib/fleet/fleet-file.js';

describe('bench fleet generator', () => {
  it('is deterministic for a seed and valid per the fleet file schema', () => {
    // Act
    const a = generateFleet({ clusters: 120, seed: 7 });
    const b = generateFleet({ clusters: 120, seed: 7 });
    // Assess
    expect(a.fleet).toEqual(b.fleet);
    expect(FleetFile.safeParse(a.fleet).success).toBe(true);
    expect(a.fleet.clusters).toHaveLength(120);
  });

  it('plans between 1 and 8 hops per cluster, covering the range, with canaries first', () => {
    // Act
    const { fleet, plannedHops } = generateFleet({ clusters: 400, seed: 11 });
    // Assess
    const counts = new Set(plannedHops.values());
    expect([...counts].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(fleet.clusters.filter((c) => c.tags['cni-fleet/wave'] === 'canary')).toHaveLength(4);
  });
});

describe('makespanBound', () => {
  const fleet = FleetFile.parse({
    settings: { updateSeconds: 60, secondsPerNode: 2 },
    clusters: [
      { name: 'canary', kubernetesVersion: '1.29', nodes: 10, tags: { 'cni-fleet/wave': 'canary' } },
      { name: 'a', kubernetesVersion: '1.29', nodes: 0 },
      { name: 'b', kubernetesVersion: '1.29', nodes: 0 },
      { name: 'c', kubernetesVersion: '1.29', nodes: 0 },
    ],
  });

  it('adds up per wave max(longest chain, work / concurrency)', () => {
    // Act
    const bound = makespanBound(fleet, new Map([['canary', 2], ['a', 4], ['b', 1], ['c', 1]]), 2);
    // Assess: canary 2 × 80 = 160; untagged chains 240, 60, 60 → max(240, 360 / 2 = 180) = 240.
    expect(bound.waves.map((w) => [w.wave, w.boundSeconds])).toEqual([
      ['canary', 160],
      ['(untagged)', 240],
    ]);
    expect(bound.waveBoundSeconds).toBe(400);
    expect(bound.poolBoundSeconds).toBe(260);
  });
});

describe('runCost', () => {
  it('prices transitions, requests and GB-seconds at list price', () => {
    // Act
    const cost = runCost({ transitions: 1000, lambdaInvocations: 1_000_000, billedMs: 4000 }, 1024);
    // Assess
    expect(cost.stepFunctions).toBeCloseTo(0.025, 10);
    expect(cost.lambdaRequests).toBeCloseTo(0.2, 10);
    expect(cost.lambdaDuration).toBeCloseTo(4 * 0.0000166667, 12);
  });
});
