import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EksOperation } from '../../lib/fleet/fleet-file.js';
import type { RunSummary } from '../../lib/steps/summarize-run.js';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { matrixRow } from './fault-matrix.js';
import type { FaultRig } from './fault-rig.js';
import { keyOf, startFaultRig, statesOf } from './fault-rig.js';

// Every EKS operation the workflow makes fails first: 429 ThrottlingException and 500 ServerException bursts long
// enough to outlast the SDK's own 3 attempts, so the state machine's Retry (EksThrottledError /
// EksUnavailableError) has to carry the run. 100× clock: the SDK's back-off is real time (up to seconds for
// throttling), which at a faster clock would read as minutes of virtual time.
// (DescribeUpdate is read only for a hop that failed: a fault-free hop makes none.)
const OPERATIONS: readonly EksOperation[] = ['DescribeCluster', 'DescribeAddon', 'UpdateAddon', 'DescribeAddonVersions', 'DescribeAddonConfiguration'];
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';

describe('fault matrix: EKS throttling and 5xx on every operation', () => {
  let rig: FaultRig;
  let summary: RunSummary;
  let records: RunClusterRecords;

  beforeAll(async () => {
    rig = await startFaultRig({
      speed: 100,
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: [
          {
            name: 'throttled',
            kubernetesVersion: '1.29',
            addon: { version: 'v1.19.0-eksbuild.1', configurationValues: CONFIG, serviceAccountRoleArn: ROLE },
            faults: [
              // UpdateAddon: 3 × 429 (the SDK gives up → EksThrottledError), then 3 × 500 (→ EksUnavailableError).
              { effect: 'THROTTLE', operation: 'UpdateAddon', count: 3 },
              // Every other operation: one 429 the SDK absorbs, then 500s until the SDK gives up once.
              ...OPERATIONS.filter((o) => o !== 'UpdateAddon').map((operation) => ({ effect: 'THROTTLE' as const, operation, count: 1 })),
              // DescribeAddon: DiscoverLane's wave-ordering read takes the first 429 + 2 × 500 (it orders an
              // unreadable cluster first and goes on), so two more 500s make TakeSnapshot's read outlast the SDK too.
              // (PollHop reads only DescribeAddon now; every burst on it ends in TakeSnapshot, before any poll.)
              ...OPERATIONS.map((operation) => ({ effect: 'SERVER_ERROR' as const, operation, count: operation === 'DescribeAddon' ? 5 : 3 })),
            ],
          },
        ],
      },
    });
    summary = await rig.runFleet('throttled-run', { failureThreshold: 0, expectedHopSeconds: 30 });
    records = (await rig.store.listRunClusters('throttled-run'))[0]!;
  });
  afterAll(() => rig?.close());

  it('every operation got its burst; the state machine retried; the run completed', (context) => {
    // Prepare
    const row = matrixRow(context, 'THROTTLE (429) and SERVER_ERROR (500) bursts on every EKS operation', 'retried (SDK, then ASL Retry), UPGRADED; one accepted UpdateAddon per hop');
    // Act
    const failedCalls = Object.fromEntries(OPERATIONS.map((o) => [o, rig.sim.calls.filter((c) => c.operation === o && c.status >= 429).length]));
    const retriedStates = statesOf(rig.events, 'throttled', { failed: true });
    const accepted = rig.sim.calls.filter((c) => c.operation === 'UpdateAddon' && c.status === 200).length;
    row.observe(`${records.cluster?.status}; failed calls ${Object.values(failedCalls).reduce((a, b) => a + b, 0)} over ${OPERATIONS.length} operations; ASL retries ${retriedStates.join(',')}; ${accepted} UpdateAddon accepted for ${records.hops.length} hops`);
    // Assess
    expect(failedCalls).toEqual({ DescribeCluster: 4, DescribeAddon: 6, UpdateAddon: 6, DescribeAddonVersions: 4, DescribeAddonConfiguration: 4 });
    expect(rig.sim.calls.filter((c) => c.status === 429).length).toBe(7);
    expect(rig.sim.calls.filter((c) => c.status === 500).length).toBe(17);
    // Each burst outlasted the SDK once: the ASL retried the state that made the call.
    expect(retriedStates.filter((s) => s === 'ApplyHop')).toHaveLength(2);
    expect(retriedStates).toEqual(expect.arrayContaining(['TakeSnapshot', 'PlanUpgrade', 'ApplyHop']));
    expect(records.cluster).toMatchObject({ status: 'UPGRADED', error: null });
    expect(records.hops.map((h) => [h.version, h.outcome])).toEqual([
      ['v1.20.5-eksbuild.1', 'SUCCEEDED'],
      ['v1.21.1-eksbuild.8', 'SUCCEEDED'],
    ]);
    expect(accepted).toBe(2);
    expect(rig.sim.cluster('throttled')!.updates).toHaveLength(2);
  });

  it('the run report and the final add-on are what a fault-free run gives', async (context) => {
    // Prepare
    const row = matrixRow(context, 'Run report after throttling', 'summary 1 UPGRADED, run SUCCEEDED; settings kept; lock released');
    // Act
    const addon = rig.sim.cluster('throttled')!.addon!;
    const run = await rig.store.getRun('throttled-run');
    const lock = await rig.store.getLock(keyOf('throttled'));
    row.observe(`summary ${JSON.stringify(summary.byStatus)}; run ${run?.status}; ${addon.addonVersion} ${addon.status}; lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(summary).toMatchObject({ status: 'SUCCEEDED', total: 1, byStatus: { UPGRADED: 1 }, hops: 2, cause: null });
    expect(run?.status).toBe('SUCCEEDED');
    expect(addon).toMatchObject({ addonVersion: 'v1.21.1-eksbuild.8', status: 'ACTIVE', configurationValues: CONFIG, serviceAccountRoleArn: ROLE });
    expect(lock).toBeNull();
  });
});
