import {
  CreateAddonCommand,
  DescribeAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  DescribeUpdateCommand,
  ListClustersCommand,
  ListUpdatesCommand,
  UpdateAddonCommand,
  type EKSClient,
  type Update,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil, startTestSimulator, type FleetLike, type TestSimulator } from '../helpers/start-simulator.js';

type FaultLike = NonNullable<FleetLike['clusters'][number]['faults']>[number];

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** `c1` on 1.29 with vpc-cni v1.18.1 and the given faults; updates take 600 virtual s + nothing per node. */
async function start(faults: FaultLike[], extra: FleetLike['clusters'] = []) {
  sim = await startTestSimulator({
    settings: { updateSeconds: 600, secondsPerNode: 0 },
    clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' }, faults }, ...extra],
  });
  return sim;
}

const describeAddon = (eks: EKSClient) => eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
const update = (eks: EKSClient, addonVersion = 'v1.19.0-eksbuild.1') =>
  eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion }));
const describeUpdate = (eks: EKSClient, u: Update | undefined) =>
  eks.send(new DescribeUpdateCommand({ name: 'c1', updateId: u?.id ?? '', addonName: 'vpc-cni' }));
/** Jumps `virtualMs` ahead (default: past any normal update) and reads the update until it leaves InProgress. */
const settled = (eks: EKSClient, u: Update | undefined, virtualMs = 3_600_000) => {
  sim?.clock.advance(virtualMs);
  return pollUntil(() => describeUpdate(eks, u), (r) => r.update?.status !== 'InProgress');
};

describe('update faults', () => {
  it('UPDATE_FAILED: the update fails with errors[], the add-on is UPDATE_FAILED on the old version', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'UPDATE_FAILED' }]);
    // Act
    const { update: u } = await update(eks);
    const done = await settled(eks, u);
    const { addon } = await describeAddon(eks);
    // Assess
    expect(done.update?.status).toBe('Failed');
    expect(done.update?.errors).toHaveLength(1);
    expect(done.update?.errors?.[0]?.errorCode).toBe('ConfigurationConflict');
    expect(done.update?.errors?.[0]?.errorMessage).toMatch(/^Conflicts found when trying to apply\. Will not continue due to resolve conflicts mode\./);
    expect(addon?.status).toBe('UPDATE_FAILED');
    expect(addon?.addonVersion).toBe('v1.18.1-eksbuild.1');
    expect(addon?.health?.issues).toEqual([{ code: 'ConfigurationConflict', message: done.update?.errors?.[0]?.errorMessage }]);
  });

  it('UPDATE_FAILED with a custom code and message; the failed add-on can be updated again', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'UPDATE_FAILED', errorCode: 'AdmissionRequestDenied', errorMessage: 'denied by policy', count: 1 }]);
    // Act
    const first = await settled(eks, (await update(eks)).update);
    const retry = await settled(eks, (await update(eks)).update);
    // Assess
    expect(first.update?.errors).toEqual([{ errorCode: 'AdmissionRequestDenied', errorMessage: 'denied by policy' }]);
    expect(retry.update?.status).toBe('Successful');
    expect((await describeAddon(eks)).addon).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.19.0-eksbuild.1', health: { issues: [] } });
  });

  it('DEGRADED: the update succeeds, the add-on is DEGRADED with the real health issue', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'DEGRADED' }]);
    // Act
    const done = await settled(eks, (await update(eks)).update);
    const { addon } = await describeAddon(eks);
    // Assess
    expect(done.update?.status).toBe('Successful');
    expect(addon?.status).toBe('DEGRADED');
    expect(addon?.addonVersion).toBe('v1.19.0-eksbuild.1');
    expect(addon?.health?.issues).toEqual([
      { code: 'InsufficientNumberOfReplicas', message: "The add-on is unhealthy because it doesn't have the desired number of replicas." },
    ]);
  });

  it('STUCK: the update stays InProgress and the add-on UPDATING however long it runs', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'STUCK' }]);
    // Act
    const { update: u } = await update(eks);
    sim?.clock.advance(30 * 86_400_000);
    const later = await describeUpdate(eks, u);
    // Assess
    expect(later.update?.status).toBe('InProgress');
    expect((await describeAddon(eks)).addon?.status).toBe('UPDATING');
  });

  it('SLOW: the update takes durationSeconds instead of the normal duration', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'SLOW', durationSeconds: 7200 }]);
    // Act
    const { update: u } = await update(eks);
    sim?.clock.advance(3_600_000);
    const afterAnHour = await describeUpdate(eks, u);
    const done = await settled(eks, u, 3_600_000);
    // Assess
    expect(afterAnHour.update?.status).toBe('InProgress');
    expect(done.update?.status).toBe('Successful');
  });

  it('toVersion restricts a fault to updates towards matching versions; count limits firings', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'UPDATE_FAILED', toVersion: 'v1.19.*', count: 1 }]);
    // Act
    const toV118 = await settled(eks, (await update(eks, 'v1.18.3-eksbuild.1')).update);
    const toV119 = await settled(eks, (await update(eks, 'v1.19.0-eksbuild.1')).update);
    const toV119Again = await settled(eks, (await update(eks, 'v1.19.0-eksbuild.1')).update);
    // Assess
    expect([toV118, toV119, toV119Again].map((r) => r.update?.status)).toEqual(['Successful', 'Failed', 'Successful']);
  });

  it('a fleet add-on in UPDATING has an InProgress update that completes after the normal duration', async () => {
    // Prepare
    sim = await startTestSimulator({
      settings: { updateSeconds: 600, secondsPerNode: 0 },
      clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1', status: 'UPDATING' } }],
    });
    const { eks } = sim;
    // Act
    const listed = await eks.send(new ListUpdatesCommand({ name: 'c1', addonName: 'vpc-cni' }));
    const busy = await update(eks).catch((error: unknown) => error);
    const done = await settled(eks, { id: listed.updateIds?.[0] });
    // Assess
    expect(listed.updateIds).toHaveLength(1);
    expect(busy).toMatchObject({ name: 'ResourceInUseException', message: 'Addon vpc-cni cannot be updated as it is currently in UPDATING state' });
    expect(done.update?.status).toBe('Successful');
    expect((await describeAddon(eks)).addon?.status).toBe('ACTIVE');
  });
});

describe('request faults', () => {
  it('THROTTLE: count × 429 ThrottlingException, then normal answers', async () => {
    // Prepare
    const { client } = await start([{ effect: 'THROTTLE', count: 2, operation: 'DescribeAddon' }]);
    const noRetry = client({ maxAttempts: 1 });
    const call = () => noRetry.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
    // Act / Assess
    await expect(call()).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    await expect(call()).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(call()).resolves.toMatchObject({ addon: { status: 'ACTIVE' } });
    expect(sim?.calls.map((c) => c.status)).toEqual([429, 429, 200]);
  });

  it('THROTTLE: the SDK retries and succeeds ($metadata.attempts)', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'THROTTLE', count: 1 }]);
    // Act
    const { $metadata, addon } = await describeAddon(eks);
    // Assess
    expect($metadata.attempts).toBe(2);
    expect(addon?.status).toBe('ACTIVE');
  });

  it('SERVER_ERROR: 500 ServerException; the SDK retries it as transient', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'SERVER_ERROR', count: 2 }]);
    // Act
    const { $metadata } = await describeAddon(eks);
    // Assess
    expect($metadata.attempts).toBe(3);
    expect(sim?.calls.map((c) => [c.status, c.errorType])).toEqual([
      [500, 'ServerException'],
      [500, 'ServerException'],
      [200, undefined],
    ]);
  });

  it('operation restricts THROTTLE, including region-wide operations', async () => {
    // Prepare
    const { client } = await start([{ effect: 'THROTTLE', count: 1, operation: 'ListClusters' }]);
    const noRetry = client({ maxAttempts: 1 });
    // Act / Assess
    await expect(noRetry.send(new DescribeAddonVersionsCommand({ addonName: 'vpc-cni' }))).resolves.toBeDefined();
    await expect(noRetry.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }))).resolves.toBeDefined();
    await expect(noRetry.send(new ListClustersCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(noRetry.send(new ListClustersCommand({}))).resolves.toMatchObject({ clusters: ['c1'] });
  });
});

describe('cluster faults', () => {
  it('CLUSTER_UPDATING: UPDATING for durationSeconds from the start, add-on changes 409, then ACTIVE', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'CLUSTER_UPDATING', durationSeconds: 1800 }]);
    // Act
    const during = await eks.send(new DescribeClusterCommand({ name: 'c1' }));
    const refused = await update(eks).catch((error: unknown) => error);
    const controlPlane = await eks.send(new ListUpdatesCommand({ name: 'c1' }));
    sim?.clock.advance(1_800_000);
    const later = await eks.send(new DescribeClusterCommand({ name: 'c1' }));
    const accepted = await update(eks);
    const cpUpdate = await eks.send(new DescribeUpdateCommand({ name: 'c1', updateId: controlPlane.updateIds?.[0] ?? '' }));
    // Assess
    expect(during.cluster?.status).toBe('UPDATING');
    expect(refused).toMatchObject({
      name: 'ResourceInUseException',
      message: `Cannot AddonUpdate because cluster c1 currently has update ${controlPlane.updateIds?.[0]} in progress`,
      $metadata: { httpStatusCode: 409 },
    });
    expect(later.cluster?.status).toBe('ACTIVE');
    expect(accepted.update?.status).toBe('InProgress');
    expect(cpUpdate.update).toMatchObject({ type: 'VersionUpdate', status: 'Successful' });
  });

  it('CLUSTER_DELETED: after the accepted update the cluster 404s everywhere and leaves ListClusters', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'CLUSTER_DELETED' }], [{ name: 'c2', kubernetesVersion: '1.29' }]);
    // Act
    const accepted = await update(eks);
    const listed = await eks.send(new ListClustersCommand({}));
    // Assess
    expect(accepted.update?.status).toBe('InProgress');
    expect(listed.clusters).toEqual(['c2']);
    await expect(describeAddon(eks)).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'No cluster found for name: c1.' });
    await expect(eks.send(new DescribeClusterCommand({ name: 'c1' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(sim?.cluster('c1')?.existence).toBe('gone');
  });

  it('CLUSTER_DELETED counts creates too and waits for afterUpdates', async () => {
    // Prepare
    sim = await startTestSimulator({
      settings: { updateSeconds: 600, secondsPerNode: 0 },
      clusters: [{ name: 'c1', kubernetesVersion: '1.29', faults: [{ effect: 'CLUSTER_DELETED', afterUpdates: 2 }] }],
    });
    const { eks } = sim;
    // Act
    await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.18.1-eksbuild.1' }));
    sim.clock.advance(3_600_000);
    const stillThere = await describeAddon(eks);
    await update(eks);
    // Assess
    expect(stillThere.addon?.status).toBe('ACTIVE');
    await expect(describeAddon(eks)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a ghost cluster (CLUSTER_DELETED, afterUpdates 0) is listed but 404s everywhere', async () => {
    // Prepare
    const { eks } = await start([{ effect: 'CLUSTER_DELETED', afterUpdates: 0 }]);
    // Act
    const listed = await eks.send(new ListClustersCommand({}));
    // Assess
    expect(listed.clusters).toEqual(['c1']);
    await expect(eks.send(new DescribeClusterCommand({ name: 'c1' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'No cluster found for name: c1.',
    });
    await expect(describeAddon(eks)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('a fleet cluster in UPDATING never settles and refuses add-on changes', async () => {
    // Prepare
    sim = await startTestSimulator({
      clusters: [{ name: 'c1', kubernetesVersion: '1.29', status: 'UPDATING', addon: { version: 'v1.18.1-eksbuild.1' } }],
    });
    // Act
    sim.clock.advance(30 * 86_400_000);
    const { cluster } = await sim.eks.send(new DescribeClusterCommand({ name: 'c1' }));
    // Assess
    expect(cluster?.status).toBe('UPDATING');
    await expect(update(sim.eks)).rejects.toMatchObject({ name: 'ResourceInUseException', message: /^Cannot AddonUpdate because cluster c1/ });
  });
});
