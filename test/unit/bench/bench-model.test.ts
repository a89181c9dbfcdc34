import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../../bench/fleet-generator.js';
import { lastContainerStartSeconds, makespanBound } from '../../../bench/lower-bound.js';
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

describe('the rollout gate in the bound', () => {
  it('ends a hop no earlier than the last aws-node container start plus the soak, as the simulator rolls pods', () => {
    // Prepare
    const pace = { podReadySeconds: 5, concurrentStartSeconds: 2.5 };
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 2 }, clusters: [{ name: 'small', kubernetesVersion: '1.29', nodes: 3 }] });
    // Act
    const withSoak = makespanBound(fleet, new Map([['small', 2]]), 1, 'cni-fleet/wave', 120);
    const without = makespanBound(fleet, new Map([['small', 2]]), 1);
    // Assess: 3 nodes roll one at a time (maxUnavailable 1): 1 s to observe, two 5 s waves, 30% of the last.
    expect(lastContainerStartSeconds(3, pace)).toBeCloseTo(12.5, 6);
    // 40 nodes: four at a time, ten waves of 12.5 s.
    expect(lastContainerStartSeconds(40, pace)).toBeCloseTo(1 + 9 * 12.5 + 0.3 * 12.5, 6);
    expect(withSoak.waveBoundSeconds).toBeCloseTo(2 * 132.5, 6);
    expect(without.waveBoundSeconds).toBe(2 * 66);
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
