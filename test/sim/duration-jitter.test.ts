import { DescribeUpdateCommand, EKSClient, UpdateAddonCommand } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { parseOrThrow } from '../../lib/validation/parse-or-throw.js';
import { createVirtualClock } from '../../sim/clock.js';
import { durationFactor } from '../../sim/duration-jitter.js';
import { startSimulator } from '../../sim/server.js';
import { TEST_CREDENTIALS } from '../helpers/start-simulator.js';

// Update durations vary per cluster and hop when settings.durationJitter is set: a lognormal with a long slow tail,
// reproducible for a seed whatever order the requests come in, and exact when the setting is off.

const CLUSTERS = 40;
const TO = 'v1.19.2-eksbuild.1';

const fleetOf = (settings: Record<string, unknown>) =>
  parseOrThrow(
    FleetFile,
    {
      settings: { updateSeconds: 60, secondsPerNode: 2, ...settings },
      clusters: Array.from({ length: CLUSTERS }, (_, i) => ({ name: `c${i}`, kubernetesVersion: '1.29', nodes: 10, addon: { version: 'v1.18.1-eksbuild.1' } })),
    },
    'fleet',
  );

/** Updates every cluster (in the given order) and answers each update's duration in virtual seconds. */
async function durations(settings: Record<string, unknown>, order: readonly number[]): Promise<number[]> {
  const clock = createVirtualClock({ speed: 1, start: Date.parse('2026-03-02T08:00:00Z'), realNow: () => 0 });
  const sim = await startSimulator({ fleet: fleetOf(settings), clock, unref: true });
  const eks = new EKSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  try {
    for (const i of order) {
      await eks.send(new UpdateAddonCommand({ clusterName: `c${i}`, addonName: 'vpc-cni', addonVersion: TO }));
      clock.advance(1000);
    }
    return Array.from({ length: CLUSTERS }, (_, i) => {
      const cluster = sim.cluster(`c${i}`)!;
      return (cluster.addon!.changeCompletesAt! - cluster.updates.at(-1)!.createdAt) / 1000;
    });
  } finally {
    eks.destroy();
    await sim.close();
  }
}

const inOrder = Array.from({ length: CLUSTERS }, (_, i) => i);

describe('update duration variation', () => {
  it('is off by default: every update takes exactly updateSeconds + nodes × secondsPerNode', async () => {
    // Act
    const exact = await durations({}, inOrder);
    // Assess
    expect(new Set(exact)).toEqual(new Set([80]));
  });

  it('is the same for a seed whatever order the updates come in, and different for another seed', async () => {
    // Act
    const forward = await durations({ durationJitter: 0.2, seed: 42 }, inOrder);
    const backward = await durations({ durationJitter: 0.2, seed: 42 }, [...inOrder].reverse());
    const otherSeed = await durations({ durationJitter: 0.2, seed: 43 }, inOrder);
    // Assess
    expect(backward).toEqual(forward);
    expect(otherSeed).not.toEqual(forward);
    expect(new Set(forward).size).toBeGreaterThan(CLUSTERS / 2);
  });

  it('lands when the simulator says: DescribeUpdate turns Successful at the varied time, not the nominal one', async () => {
    // Prepare
    const clock = createVirtualClock({ speed: 1, start: Date.parse('2026-03-02T08:00:00Z'), realNow: () => 0 });
    const sim = await startSimulator({ fleet: fleetOf({ durationJitter: 0.5, seed: 7 }), clock, unref: true });
    const eks = new EKSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
    const status = async (id: string) => (await eks.send(new DescribeUpdateCommand({ name: 'c3', updateId: id, addonName: 'vpc-cni' }))).update!.status;
    // Act
    const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'c3', addonName: 'vpc-cni', addonVersion: TO }));
    const lands = sim.cluster('c3')!.addon!.changeCompletesAt! - clock.now();
    clock.advance(lands - 1);
    const before = await status(update!.id!);
    clock.advance(1);
    const after = await status(update!.id!);
    eks.destroy();
    await sim.close();
    // Assess
    expect(lands).not.toBe(80_000);
    expect(before).toBe('InProgress');
    expect(after).toBe('Successful');
  });

  it('spreads as documented: median about nominal, two in three within ×/÷ 1.2, a slow tail', () => {
    // Prepare
    const settings = { durationJitter: 0.2, seed: 1 };
    const hops = Array.from({ length: 4000 }, (_, i) => ({ accountId: '111122223333', region: 'us-east-1', name: `cluster-${i % 400}`, targetVersion: `v1.${10 + Math.floor(i / 400)}.0-eksbuild.1` }));
    // Act
    const factors = hops.map((hop) => durationFactor(settings, hop)).sort((a, b) => a - b);
    const logs = factors.map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    const within = factors.filter((f) => f >= 1 / 1.2 && f <= 1.2).length / factors.length;
    // Assess
    expect(factors[2000]!).toBeGreaterThan(0.97);
    expect(factors[2000]!).toBeLessThan(1.03);
    expect(sd).toBeGreaterThan(Math.log(1.2) * 0.95);
    expect(sd).toBeLessThan(Math.log(1.2) * 1.05);
    expect(within).toBeGreaterThan(0.64);
    expect(within).toBeLessThan(0.72);
    // The slow tail: one hop in forty beyond 1.44×, and some beyond 1.6×.
    expect(factors.filter((f) => f > 1.44).length / factors.length).toBeGreaterThan(0.015);
    expect(factors.at(-1)!).toBeGreaterThan(1.6);
    expect(durationFactor({ durationJitter: 0, seed: 1 }, hops[0]!)).toBe(1);
  });
});
