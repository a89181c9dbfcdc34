import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../../bench/fleet-generator.js';
import { laneBoundSeconds, lastContainerStartSeconds, makespanBound } from '../../../bench/lower-bound.js';
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

  it('spreads the clusters round-robin over accounts × Regions', () => {
    // Act
    const { fleet } = generateFleet({ clusters: 60, seed: 7, accounts: 3, regions: 2 });
    // Assess
    const lanes = new Map<string, number>();
    for (const c of fleet.clusters) lanes.set(`${c.accountId}/${c.region}`, (lanes.get(`${c.accountId}/${c.region}`) ?? 0) + 1);
    expect([...lanes.values()]).toEqual([10, 10, 10, 10, 10, 10]);
    expect(new Set(fleet.clusters.map((c) => c.accountId))).toEqual(new Set(['111122223333', '100000000001', '100000000002']));
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
      { name: 'd', region: 'eu-west-1', kubernetesVersion: '1.29', nodes: 0 },
    ],
  });
  const hops = (entries: [string, number][]) => new Map(entries.map(([name, n]) => [`111122223333/${name === 'd' ? 'eu-west-1' : 'us-east-1'}/${name}`, n]));

  it('adds up per wave max(busiest lane, Σ lane bounds / lanesAtOnce, work / all slots)', () => {
    // Act
    const bound = makespanBound(fleet, hops([['canary', 2], ['a', 4], ['b', 1], ['c', 1], ['d', 3]]), { lanesAtOnce: 1, perLaneConcurrency: 2 });
    // Assess: canary 2 × 80 = 160. Untagged: lane us-east-1 chains 240, 60, 60 → max(240, 360 / 2) = 240; lane
    // eu-west-1 → 180; one lane at a time → 240 + 180 = 420.
    expect(bound.waves.map((w) => [w.wave, w.lanes, w.boundSeconds])).toEqual([
      ['canary', 1, 160],
      ['(untagged)', 2, 420],
    ]);
    expect(bound.waveBoundSeconds).toBe(580);
  });

  it('lets lanes overlap when lanesAtOnce allows: the busiest lane bounds the wave', () => {
    // Act
    const bound = makespanBound(fleet, hops([['canary', 2], ['a', 4], ['b', 1], ['c', 1], ['d', 3]]), { lanesAtOnce: 2, perLaneConcurrency: 2 });
    // Assess: max(240, (240 + 180) / 2 = 210, 540 / 4 = 135) = 240; pooled: lane us-east-1 runs 240, 160, 60, 60 on
    // two slots, at best 240 | 160 + 60 + 60 = 280 (split evenly it would be 520 / 2 = 260, which no schedule reaches).
    expect(bound.waves.map((w) => w.boundSeconds)).toEqual([160, 240]);
    expect(bound.poolBoundSeconds).toBe(280);
  });

  it('packs each lane exactly: a lane holds its slot until its last cluster ends', () => {
    // Prepare: five equal clusters in one lane, four at once: one slot runs two of them.
    const lane = FleetFile.parse({
      settings: { updateSeconds: 100, secondsPerNode: 0 },
      clusters: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, kubernetesVersion: '1.29', nodes: 0 })),
    });
    const oneHop = new Map(['a', 'b', 'c', 'd', 'e'].map((name) => [`111122223333/us-east-1/${name}`, 1]));
    // Act
    const bound = makespanBound(lane, oneHop, { lanesAtOnce: 1, perLaneConcurrency: 4 });
    // Assess: 200 s, where splitting the work evenly over the four slots says 125 s.
    expect(bound.waveBoundSeconds).toBe(200);
    expect(bound.relaxedWaveBoundSeconds).toBe(125);
  });
});

describe('laneBoundSeconds', () => {
  it('is the best packing of the chains onto the slots, found exactly', () => {
    // Act + Assess: 7, 6, 5, 4, 4, 4 on three slots: 7 + 4 | 6 + 4 | 5 + 4 → 11 (greedy longest first finds 11 too);
    // 8, 7, 6, 5, 4 on two slots: 8 + 7 | 6 + 5 + 4 = 15 (greedy longest first: 8 + 5 + 4 | 7 + 6 = 17).
    expect(laneBoundSeconds([7, 6, 5, 4, 4, 4], 3)).toBe(11);
    expect(laneBoundSeconds([8, 7, 6, 5, 4], 2)).toBe(15);
    expect(laneBoundSeconds([3, 9, 1], 4)).toBe(9);
    expect(laneBoundSeconds([], 4)).toBe(0);
  });

  it('falls back to the classic bound, never to a schedule, when the search is too large', () => {
    // Prepare: 300 distinct chains on 7 slots: the search gives up, and the bound is the work over the slots.
    const chains = Array.from({ length: 300 }, (_, i) => 1000 + ((i * 7919) % 997));
    const work = chains.reduce((a, b) => a + b, 0);
    // Act
    const bound = laneBoundSeconds(chains, 7);
    // Assess: the work over the slots, which no packing beats — not the best schedule the search had found.
    expect(bound).toBeCloseTo(work / 7, 6);
  });
});

describe('the rollout gate in the bound', () => {
  it('ends a hop no earlier than the last aws-node container start plus the soak, as the simulator rolls pods', () => {
    // Prepare
    const pace = { podReadySeconds: 5, concurrentStartSeconds: 2.5 };
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 2 }, clusters: [{ name: 'small', kubernetesVersion: '1.29', nodes: 3 }] });
    // Act
    const one = { lanesAtOnce: 1, perLaneConcurrency: 1 };
    const withSoak = makespanBound(fleet, new Map([['111122223333/us-east-1/small', 2]]), one, 'cni-fleet/wave', 120);
    const without = makespanBound(fleet, new Map([['111122223333/us-east-1/small', 2]]), one);
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
