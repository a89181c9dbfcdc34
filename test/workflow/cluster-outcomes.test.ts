import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEnd, FaultRig } from '../faults/fault-rig.js';
import { keyOf, startFaultRig } from '../faults/fault-rig.js';

// The status of a cluster execution says what happened: a cluster left alone on purpose before any change
// (BLOCKED, SKIPPED) ends SUCCEEDED with that outcome as its output, so the failed-executions alarm and the
// FAILED notification fire for real failures only; a FAILED cluster ends FAILED with the typed error, and a cause
// that names the cluster by its key.

describe('cluster execution status follows the outcome', () => {
  let rig: FaultRig;
  const ends: Record<string, ExecutionEnd> = {};

  beforeAll(async () => {
    rig = await startFaultRig({
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: [
          { name: 'blocked', kubernetesVersion: '1.31', addon: { version: 'v1.8.0-eksbuild.1' } },
          { name: 'auto-mode', kubernetesVersion: '1.31', compute: 'auto' },
          { name: 'conflict', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*', errorCode: 'ConfigurationConflict' }] },
          // Fargate-only with the managed add-on: upgraded (docs/cluster-outcomes.md); self-managed there: SKIPPED.
          { name: 'fargate-managed', kubernetesVersion: '1.29', compute: 'fargate', addon: { version: 'v1.20.5-eksbuild.1' } },
          { name: 'fargate-self', kubernetesVersion: '1.29', compute: 'fargate', selfManaged: { version: 'v1.16.4' } },
        ],
      },
    });
    for (const name of ['blocked', 'auto-mode', 'conflict', 'fargate-managed', 'fargate-self']) ends[name] = await rig.runCluster(name, `outcome-${name}`);
  });
  afterAll(() => rig?.close());

  it('ends a BLOCKED cluster SUCCEEDED with BLOCKED and the reason in its output', () => {
    expect(ends['blocked']?.error).toBeUndefined();
    expect(ends['blocked']?.output).toMatchObject({ name: 'blocked', accountId: '111122223333', status: 'BLOCKED', error: { name: 'PlanBlockedError' } });
  });

  it('ends a SKIPPED cluster SUCCEEDED with SKIPPED and the reason in its output', () => {
    expect(ends['auto-mode']?.error).toBeUndefined();
    expect(ends['auto-mode']?.output).toMatchObject({ name: 'auto-mode', status: 'SKIPPED', error: { name: 'ClusterSkippedError', message: expect.stringContaining('Auto Mode') } });
  });

  it('ends a FAILED cluster FAILED with the typed error and a cause naming the cluster key', () => {
    expect(ends['conflict']?.output).toBeUndefined();
    expect(ends['conflict']?.error?.name).toBe('AddonUpdateFailedError');
    expect(ends['conflict']?.error?.message).toMatch(new RegExp(`^${keyOf('conflict')} ended FAILED: Update \\S+ on ${keyOf('conflict')} failed: ConfigurationConflict`));
  });

  it('upgrades the managed add-on of a Fargate-only cluster, and leaves a self-managed DaemonSet there SKIPPED', () => {
    expect(ends['fargate-managed']?.output).toMatchObject({ status: 'UPGRADED', from: 'v1.20.5-eksbuild.1', to: 'v1.21.1-eksbuild.8' });
    expect(rig.sim.cluster('fargate-managed')?.addon?.addonVersion).toBe('v1.21.1-eksbuild.8');
    expect(ends['fargate-self']?.output).toMatchObject({ status: 'SKIPPED', error: { name: 'ClusterSkippedError', message: expect.stringContaining('Fargate-only') } });
    expect(rig.sim.count({ cluster: 'fargate-self', mutating: true })).toBe(0);
  });

  it('records each outcome and releases every lock', async () => {
    for (const name of ['blocked', 'auto-mode', 'conflict']) {
      const [record] = await rig.store.listRunClusters(`outcome-${name}`);
      expect(record?.cluster?.status).toBe({ blocked: 'BLOCKED', 'auto-mode': 'SKIPPED', conflict: 'FAILED' }[name]);
      expect(await rig.store.getLock(keyOf(name))).toBeNull();
    }
  });
});
