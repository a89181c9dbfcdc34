import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/steps/summarize-run.js';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { matrixRow } from './fault-matrix.js';
import type { FaultRig } from './fault-rig.js';
import { startFaultRig, statesOf } from './fault-rig.js';

// Waiting on something else's change: the control plane mid-update, or someone else's add-on update in flight.
// A slower clock than the other fault files (100×): both faults run from the simulator's start, so the way to the
// first TakeSnapshot (~20 virtual s here; the rig's cold start happens before the simulator starts) must not
// outlast them, and the local retry budget must cover them (10 × 30 s: the local runner scales Retry intervals
// without their backoff).
const CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';
// Long enough (6 real seconds at speed 100) that the fleet's states before the cluster's TakeSnapshot (validation,
// lane planning and discovery, the wave's lane) cannot use it up on a loaded machine.
const CONTROL_PLANE_SECONDS = 600;

describe('fault matrix: waiting for the cluster or the add-on to settle', () => {
  let rig: FaultRig;
  let summary: RunSummary;
  let records: RunClusterRecords[];
  let simStart: number;

  beforeAll(async () => {
    rig = await startFaultRig({
      speed: 100,
      fleet: {
        settings: { updateSeconds: 60, secondsPerNode: 2 },
        clusters: [
          { name: 'cp-updating', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'CLUSTER_UPDATING', durationSeconds: CONTROL_PLANE_SECONDS }] },
          // Someone else's update to v1.20.5 runs for 60 + 270 × 2 = 600 virtual s from the start.
          { name: 'busy', kubernetesVersion: '1.29', nodes: 270, addon: { version: 'v1.20.5-eksbuild.1', status: 'UPDATING', configurationValues: CONFIG } },
        ],
      },
    });
    simStart = rig.sim.cluster('busy')!.updates[0]!.createdAt;
    summary = await rig.runFleet('busy-waits', { failureThreshold: 0, expectedHopSeconds: 60, pollIntervalSeconds: 15 });
    records = await rig.store.listRunClusters('busy-waits');
  });
  afterAll(() => rig?.close());

  const stored = (name: string) => records.find((r) => r.cluster?.clusterName === name)!;
  const updateCalls = (name: string) => rig.sim.calls.filter((c) => c.cluster === name && c.operation === 'UpdateAddon');

  it('control plane UPDATING: TakeSnapshot waits (bounded Retry), then the upgrade proceeds', (context) => {
    // Prepare
    const row = matrixRow(context, `Control plane UPDATING for ${CONTROL_PLANE_SECONDS} s at the start`, 'TakeSnapshot waits (ClusterNotActiveError retried), first change after the control plane is ACTIVE, then UPGRADED');
    // Act
    const waits = statesOf(rig.events, 'cp-updating', { failed: true }).filter((s) => s === 'TakeSnapshot').length;
    const firstUpdate = updateCalls('cp-updating')[0];
    const controlPlane = rig.sim.cluster('cp-updating')!.clusterUpdates[0]!;
    const c = stored('cp-updating').cluster!;
    row.observe(`${waits} refused snapshot(s); first UpdateAddon ${Math.round(((firstUpdate?.at ?? 0) - simStart) / 1000)} virtual s in (control plane ${controlPlane.status}); ${c.status}`);
    // Assess
    expect(waits).toBeGreaterThan(0);
    expect(firstUpdate!.at - simStart).toBeGreaterThanOrEqual(CONTROL_PLANE_SECONDS * 1000);
    expect(controlPlane.status).toBe('Successful');
    expect(c.status).toBe('UPGRADED');
    expect(rig.sim.cluster('cp-updating')!.addon!.addonVersion).toBe('v1.21.1-eksbuild.8');
  });

  it('add-on already UPDATING (someone else’s update): waits, re-snapshots the settled add-on, goes on', (context) => {
    // Prepare
    const row = matrixRow(context, 'Add-on UPDATING (another update) when the run starts', 'waits (AddonBusyError retried), snapshot of the ACTIVE add-on, no UpdateAddon while UPDATING, UPGRADED with settings kept');
    // Act
    const waits = statesOf(rig.events, 'busy', { failed: true }).filter((s) => s === 'TakeSnapshot').length;
    const snapshot = stored('busy').snapshot!.snapshot;
    const calls = updateCalls('busy');
    const addon = rig.sim.cluster('busy')!.addon!;
    row.observe(`${waits} refused snapshot(s); snapshot ${snapshot.addonStatus} ${snapshot.addonVersion}; UpdateAddon found the add-on ${calls.map((u) => u.addonStatusBefore).join(',')}; ${stored('busy').cluster!.status} → ${addon.addonVersion}`);
    // Assess
    expect(waits).toBeGreaterThan(0);
    expect(rig.sim.cluster('busy')!.updates[0]!.status).toBe('Successful');
    expect(snapshot).toMatchObject({ addonStatus: 'ACTIVE', addonVersion: 'v1.20.5-eksbuild.1', configurationValues: CONFIG });
    expect(calls.map((u) => [u.addonStatusBefore, u.status])).toEqual([['ACTIVE', 200]]);
    expect(stored('busy').cluster!.status).toBe('UPGRADED');
    expect(addon).toMatchObject({ addonVersion: 'v1.21.1-eksbuild.8', status: 'ACTIVE', configurationValues: CONFIG });
  });

  it('the run report counts both clusters upgraded', (context) => {
    // Prepare
    const row = matrixRow(context, 'Run summary after the waits', 'SummarizeRun: 2 UPGRADED, run item SUCCEEDED');
    // Act
    row.observe(`summary ${JSON.stringify(summary.byStatus)}, ${summary.hops} hops`);
    // Assess
    expect(summary.byStatus).toEqual({ UPGRADED: 2 });
    expect(summary.hops).toBe(2);
  });
});
