import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorAccountCredentials } from '../../lib/aws/clients.js';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { rehearse } from '../../rehearsal/rehearsal.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import type { ProgressStore } from '../../lib/store/progress-store.js';
import { startFaultRig, type FaultRig } from '../faults/fault-rig.js';

// A cluster is (account, Region, name): two clusters named `dup` in one Region of two accounts are two clusters,
// each reached with its own account's credentials (the simulator serves the account a 12-digit access key id
// names), each locked, snapshotted, updated and recorded under its own key.

const A = '111122223333';
const B = '222233334444';
const TARGET = 'v1.21.1-eksbuild.8'; // the default build for Kubernetes 1.29
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    { name: 'dup', region: 'us-east-1', accountId: A, kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1', configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}' } },
    { name: 'dup', region: 'us-east-1', accountId: B, kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1', configurationValues: '{"env":{"WARM_IP_TARGET":"9"}}' } },
  ],
});

describe('two clusters of one name in two accounts, rehearsed', () => {
  let report: RehearsalReport & { store: ProgressStore; close(): Promise<void> };

  beforeAll(async () => {
    report = await rehearse({ fleet, virtualTime: 'event', options: { failureThreshold: 0 } });
  });
  afterAll(() => report?.close());

  it('upgrades each in its own account, from its own version, keeping its own settings', () => {
    // Assess
    const byAccount = Object.fromEntries(report.clusters.map((c) => [c.accountId, c]));
    expect(report.clusters).toHaveLength(2);
    expect(byAccount[A]).toMatchObject({ name: 'dup', status: 'UPGRADED', from: 'v1.19.0-eksbuild.1', final: { addonVersion: TARGET, configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}' } });
    expect(byAccount[B]).toMatchObject({ name: 'dup', status: 'UPGRADED', from: 'v1.20.5-eksbuild.1', final: { addonVersion: TARGET, configurationValues: '{"env":{"WARM_IP_TARGET":"9"}}' } });
    expect(byAccount[A]!.hops.map((h) => h.version)).toEqual(['v1.20.5-eksbuild.1', TARGET]);
    expect(byAccount[B]!.hops.map((h) => h.version)).toEqual([TARGET]);
  });

  it('records and releases a lock per account', async () => {
    // Act
    const records = await report.store.listRunClusters(report.runId);
    // Assess
    expect(records.map((r) => `${r.cluster?.accountId}/${r.cluster?.region}/${r.cluster?.clusterName}`).sort()).toEqual([`${A}/us-east-1/dup`, `${B}/us-east-1/dup`]);
    expect(await report.store.getLock(`${A}/us-east-1/dup`)).toBeNull();
    expect(await report.store.getLock(`${B}/us-east-1/dup`)).toBeNull();
  });
});

describe('cluster identity through the workflow', () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({ fleet });
  });
  afterAll(() => rig?.close());

  it('sends each account exactly its own cluster\'s hops, one UpdateAddon per hop, never an unscoped call', async () => {
    // Act
    await rig.runFleet('identity-run', { failureThreshold: 0 });
    // Assess
    expect(rig.sim.count({ cluster: 'dup', accountId: A, operation: 'UpdateAddon' })).toBe(2);
    expect(rig.sim.count({ cluster: 'dup', accountId: B, operation: 'UpdateAddon' })).toBe(1);
    expect(rig.sim.calls.filter((c) => c.accountId === undefined)).toEqual([]);
    expect(rig.sim.cluster('dup', 'us-east-1', A)?.addon?.addonVersion).toBe(TARGET);
    expect(rig.sim.cluster('dup', 'us-east-1', B)?.addon?.addonVersion).toBe(TARGET);
    const records = await rig.store.listRunClusters('identity-run');
    const hopsOf = (account: string) => records.find((r) => r.cluster?.accountId === account)?.hops.map((h) => h.version);
    expect(records.map((r) => r.cluster?.status)).toEqual(['UPGRADED', 'UPGRADED']);
    expect(hopsOf(A)).toEqual(['v1.20.5-eksbuild.1', TARGET]);
    expect(hopsOf(B)).toEqual([TARGET]);
  });

  it('refuses a cluster of another account that no role reaches, naming cluster.roleArn, with no EKS call', async () => {
    // Prepare
    const before = rig.sim.calls.length;
    // Act
    const end = await rig.runClusterInput({ cluster: { name: 'dup', region: 'us-east-1', accountId: '999988887777' }, trigger: 'local' }, 'no-role');
    // Assess
    expect(end.error).toMatchObject({ name: 'InputValidationError' });
    expect(end.error?.message).toMatch(/^cluster\.roleArn: is required for a cluster in account 999988887777, outside this deployment's account 111122223333/);
    expect(rig.sim.calls.length).toBe(before);
  });
});

describe('a described cluster that is not the one named', () => {
  let rig: FaultRig;

  beforeAll(async () => {
    // A deployment whose home account is set to B while its credentials act in A (a mis-set CNI_FLEET_ACCOUNT_ID):
    // a cluster named without accountId is taken to be B's, but EKS answers with A's cluster of that name.
    rig = await startFaultRig({ fleet, home: { accountId: B }, accountCredentials: () => simulatorAccountCredentials(A) });
  });
  afterAll(() => rig?.close());

  it('ends the cluster FAILED with ClusterIdentityMismatchError before any change', async () => {
    // Act
    const end = await rig.runClusterInput({ cluster: { name: 'dup', region: 'us-east-1' }, trigger: 'local' }, 'mismatch');
    // Assess
    expect(end.error?.name).toBe('ClusterIdentityMismatchError');
    expect(end.error?.message).toContain(`DescribeCluster for ${B}/us-east-1/dup answered with arn:aws:eks:us-east-1:${A}:cluster/dup (account ${A}, not ${B})`);
    expect(rig.sim.count({ mutating: true })).toBe(0);
    const [record] = await rig.store.listRunClusters('mismatch');
    expect(record?.cluster).toMatchObject({ accountId: B, status: 'FAILED', error: { name: 'ClusterIdentityMismatchError' } });
    expect(record?.snapshot).toBeNull();
    expect(await rig.store.getLock(`${B}/us-east-1/dup`)).toBeNull();
  });
});
