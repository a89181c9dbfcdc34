import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { startResettingProxy, type ResettingProxy } from '../helpers/resetting-proxy.js';
import { matrixRow } from './fault-matrix.js';
import type { ExecutionEnd, FaultRig } from './fault-rig.js';
import { startFaultRig, statesOf } from './fault-rig.js';

// Network faults that carry no HTTP status: a proxy in front of the simulator resets the connection (ECONNRESET)
// of the cluster's first DescribeCluster and first UpdateAddon requests, three times each, so the SDK's own three
// attempts are spent and the fault reaches the task. The state machine must retry it as the transient fault it is
// (EksUnavailableError), not end the cluster FAILED. 100× clock: the SDK's back-off is real time.

describe('fault matrix: connections reset with no HTTP status', () => {
  let rig: FaultRig;
  let proxy: ResettingProxy;
  let end: ExecutionEnd;
  let records: RunClusterRecords;

  beforeAll(async () => {
    rig = await startFaultRig({
      speed: 100,
      fleet: { settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [{ name: 'reset', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' } }] },
      eksEndpoint: async (simulator) => {
        proxy = await startResettingProxy(simulator, [
          { matches: (r) => r.method === 'GET' && r.url === '/clusters/reset', count: 3 },
          { matches: (r) => r.method === 'POST' && r.url === '/clusters/reset/addons/vpc-cni/update', count: 3 },
        ]);
        return proxy.endpoint;
      },
    });
    end = await rig.runCluster('reset', 'reset-run', { expectedHopSeconds: 30 });
    records = (await rig.store.listRunClusters('reset-run'))[0]!;
  });
  afterAll(async () => {
    await rig?.close();
    await proxy?.close();
  });

  it('retries the reset DescribeCluster and UpdateAddon as EksUnavailableError; the cluster is UPGRADED', (context) => {
    // Prepare
    const row = matrixRow(context, 'ECONNRESET (no HTTP status) on DescribeCluster and UpdateAddon, past the SDK attempts', 'EksUnavailableError retried by the ASL, UPGRADED, one update per hop');
    // Act
    const retried = rig.events.filter((e) => e.error).map((e) => `${e.stateName}:${e.error?.name ?? ''}`);
    row.observe(`${records.cluster?.status}; ${proxy.resets.length} connections reset; task errors ${retried.join(', ')}; ${rig.sim.count({ operation: 'UpdateAddon' })} UpdateAddon`);
    // Assess
    expect(proxy.resets).toHaveLength(6);
    expect(retried).toEqual(['TakeSnapshot:EksUnavailableError', 'ApplyHop:EksUnavailableError']);
    expect(end.output).toMatchObject({ status: 'UPGRADED', to: 'v1.21.1-eksbuild.8' });
    expect(records.cluster?.status).toBe('UPGRADED');
    expect(rig.sim.count({ operation: 'UpdateAddon' })).toBe(1);
    expect(statesOf(rig.events, 'reset')).toContain('VerifyUpgrade');
  });
});
