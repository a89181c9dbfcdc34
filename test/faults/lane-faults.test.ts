import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRig } from './fault-rig.js';
import { startFaultRig } from './fault-rig.js';

const lambdaError = (name: string): Error => Object.assign(new Error(`${name}: injected at the Lambda boundary`), { name });
const ADDON = { version: 'v1.18.5-eksbuild.1' };

/**
 * A lane child that fails past its own Catch (its Lambda keeps failing, on every retry and on the last attempt):
 * the fleet goes on with the other lanes. IndexWaves closes a discovery lane from what it recorded; CheckFailureBudget
 * closes a wave's lane that never counted its clusters. Either way every cluster has an outcome in the summary.
 */
describe('a lane whose Lambda keeps failing', () => {
  let rig: FaultRig;
  // Which task, run and lane fail, and whether before the handler runs or after it has done its work.
  const failing = { task: 'discoverLane', runId: '', region: '', phase: 'before' as 'before' | 'after' };

  beforeAll(async () => {
    rig = await startFaultRig({
      speed: 1000,
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        // Each test runs its own three clusters: a cluster upgraded by one run would be UNCHANGED in the next.
        clusters: ['a', 'b', 'c', 'd'].flatMap((run) => [
          { name: `${run}-east-1`, region: 'us-east-1', kubernetesVersion: '1.29', addon: ADDON },
          { name: `${run}-east-2`, region: 'us-east-1', kubernetesVersion: '1.29', addon: ADDON },
          { name: `${run}-west-1`, region: 'eu-west-1', kubernetesVersion: '1.29', addon: ADDON },
        ]),
      },
      wrapTasks: (tasks) => {
        const wrapped = { ...tasks };
        for (const key of ['discoverLane', 'readLanePage', 'closeLaneWave']) {
          const task = tasks[key]!;
          wrapped[key] = async (input) => {
            const event = input as { runId: string; lane: number };
            const lane = key === failing.task && event.runId === failing.runId ? await rig.store.getLane(event.runId, event.lane, { entries: false }) : null;
            const fails = lane?.lane.region === failing.region;
            if (fails && failing.phase === 'before') throw lambdaError('Sandbox.Timedout');
            const output = await task(input);
            if (fails) throw lambdaError('Lambda.Unknown');
            return output;
          };
        }
        return wrapped;
      },
    });
  });
  afterAll(() => rig?.close());

  it('before its handler runs: that lane’s clusters are FAILED with the lane’s fault, the other lane is upgraded', async () => {
    // Prepare
    Object.assign(failing, { task: 'discoverLane', runId: 'lane-never-ran', region: 'us-east-1', phase: 'before' });

    // Act
    const summary = await rig.runFleet('lane-never-ran', { failureThreshold: 0 }, ['a-east-1', 'a-east-2', 'a-west-1']);
    const records = await rig.store.listRunClusters('lane-never-ran');

    // Assess
    const status = new Map(records.map((r) => [r.cluster?.clusterName, r.cluster]));
    expect(status.get('a-west-1')?.status).toBe('UPGRADED');
    for (const name of ['a-east-1', 'a-east-2'])
      expect(status.get(name)).toMatchObject({ status: 'FAILED', step: 'IndexWaves', error: { name: 'LaneDiscoveryIncomplete', message: expect.stringContaining('us-east-1') } });
    expect(summary).toMatchObject({ status: 'FAILED', total: 3, byStatus: { UPGRADED: 1, FAILED: 2 }, unaccounted: 0, lanesFailed: 0 });
    expect(summary.cause).toBe('2 of 3 clusters FAILED (2 while discovering)');
  });

  it('after its handler has recorded everything: its clusters still run, and every cluster has its outcome', async () => {
    // Prepare
    Object.assign(failing, { task: 'discoverLane', runId: 'lane-lost-answer', region: 'eu-west-1', phase: 'after' });

    // Act
    const summary = await rig.runFleet('lane-lost-answer', { failureThreshold: 0 }, ['b-east-1', 'b-east-2', 'b-west-1']);
    const records = await rig.store.listRunClusters('lane-lost-answer');

    // Assess
    expect(records.map((r) => [r.cluster?.clusterName, r.cluster?.status]).sort()).toEqual([
      ['b-east-1', 'UPGRADED'],
      ['b-east-2', 'UPGRADED'],
      ['b-west-1', 'UPGRADED'],
    ]);
    expect(summary).toMatchObject({ status: 'SUCCEEDED', total: 3, byStatus: { UPGRADED: 3 }, unaccounted: 0 });
  });

  it('a wave lane that cannot read its clusters: they never start, end ABORTED, and the run says so', async () => {
    // Prepare
    Object.assign(failing, { task: 'readLanePage', runId: 'wave-lane-never-ran', region: 'us-east-1', phase: 'before' });

    // Act
    const summary = await rig.runFleet('wave-lane-never-ran', { failureThreshold: 0 }, ['c-east-1', 'c-east-2', 'c-west-1']);
    const records = await rig.store.listRunClusters('wave-lane-never-ran');

    // Assess
    const status = new Map(records.map((r) => [r.cluster?.clusterName, r.cluster]));
    expect(status.get('c-west-1')?.status).toBe('UPGRADED');
    for (const name of ['c-east-1', 'c-east-2']) expect(status.get(name)).toMatchObject({ status: 'ABORTED', error: { name: 'LaneWaveIncomplete' } });
    expect(rig.sim.cluster('c-east-1')?.addon?.addonVersion).toBe(ADDON.version);
    expect(summary).toMatchObject({ status: 'FAILED', total: 3, byStatus: { UPGRADED: 1, ABORTED: 2 }, unaccounted: 0 });
    expect(summary.cause).toBe('2 of 3 clusters ABORTED');
  });

  it('a wave lane that cannot count its clusters: they are counted when the wave closes', async () => {
    // Prepare
    Object.assign(failing, { task: 'closeLaneWave', runId: 'wave-lane-uncounted', region: 'eu-west-1', phase: 'before' });

    // Act
    const summary = await rig.runFleet('wave-lane-uncounted', { failureThreshold: 0 }, ['d-east-1', 'd-east-2', 'd-west-1']);

    // Assess
    expect(summary).toMatchObject({ status: 'SUCCEEDED', total: 3, byStatus: { UPGRADED: 3 }, unaccounted: 0 });
    const run = await rig.store.getRunCounts('wave-lane-uncounted');
    expect([...run.closedWaves]).toEqual([0]);
    // The markers of finished discovery and of the closed wave are forgotten: the RUN item does not grow per wave.
    expect([...run.counted]).toEqual([]);
  });
});
