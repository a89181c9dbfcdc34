import { CreateAddonCommand, DeleteAddonCommand, DescribeAddonCommand, ListUpdatesCommand, type EKSClient } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../sim/catalogue/catalogue.js';
import { pollUntil, startTestSimulator, type FleetLike, type TestSimulator } from '../helpers/start-simulator.js';

const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
// Changes take 600 virtual s (0.6 s real at 1000×) so a test always sees CREATING/DELETING first.
const SETTINGS = { updateSeconds: 600, secondsPerNode: 0 };

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(clusters: FleetLike['clusters']) {
  sim = await startTestSimulator({ settings: SETTINGS, clusters });
  return sim;
}

const describeAddon = (eks: EKSClient, clusterName = 'c1') => eks.send(new DescribeAddonCommand({ clusterName, addonName: 'vpc-cni' }));
/** Jumps past any change's duration, then reads until the add-on leaves `status`. */
const after = (eks: EKSClient, status: string, clusterName = 'c1') => {
  sim?.clock.advance(3_600_000);
  return pollUntil(() => describeAddon(eks, clusterName), (r) => r.addon?.status !== status);
};

describe('CreateAddon', () => {
  it('creates the add-on CREATING, then ACTIVE, without an Update object', async () => {
    // Prepare
    const { eks } = await start([{ name: 'c1', kubernetesVersion: '1.29' }]);
    // Act
    const created = await eks.send(
      new CreateAddonCommand({
        clusterName: 'c1',
        addonName: 'vpc-cni',
        addonVersion: 'v1.19.0-eksbuild.1',
        serviceAccountRoleArn: ROLE,
        configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}',
        tags: { owner: 'net' },
      }),
    );
    const active = await after(eks, 'CREATING');
    const updates = await eks.send(new ListUpdatesCommand({ name: 'c1', addonName: 'vpc-cni' }));
    // Assess
    expect(created.addon).toMatchObject({ status: 'CREATING', addonVersion: 'v1.19.0-eksbuild.1', tags: { owner: 'net' } });
    expect(active.addon).toMatchObject({
      status: 'ACTIVE',
      addonVersion: 'v1.19.0-eksbuild.1',
      serviceAccountRoleArn: ROLE,
      configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}',
    });
    expect(updates.updateIds).toEqual([]);
    expect(sim?.count({ cluster: 'c1', mutating: true })).toBe(1);
  });

  it('installs the default build for the cluster Kubernetes version when addonVersion is omitted', async () => {
    // Prepare
    const { eks } = await start([{ name: 'c1', kubernetesVersion: '1.30' }]);
    const expected = loadCatalogue().compatibleBuilds('1.30').find((b) => b.isDefault)?.version;
    // Act
    const { addon } = await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
    // Assess
    expect(addon?.addonVersion).toBe(expected);
  });

  it('answers 409 "Addon already exists." and 400 for an unsupported version', async () => {
    // Prepare
    const { eks } = await start([
      { name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } },
      { name: 'c2', kubernetesVersion: '1.29' },
    ]);
    // Act / Assess
    await expect(eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: 'Addon already exists.',
      $metadata: { httpStatusCode: 409 },
    });
    await expect(eks.send(new CreateAddonCommand({ clusterName: 'c2', addonName: 'vpc-cni', addonVersion: 'v1.6.3-eksbuild.2' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Addon version specified is not supported',
    });
  });

  it('returns the same add-on for a repeated clientRequestToken', async () => {
    // Prepare
    const { eks } = await start([{ name: 'c1', kubernetesVersion: '1.29' }]);
    const input = { clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', clientRequestToken: 'create-1' };
    // Act
    const first = await eks.send(new CreateAddonCommand(input));
    const again = await eks.send(new CreateAddonCommand(input));
    // Assess
    expect(again.addon?.addonArn).toBe(first.addon?.addonArn);
    expect(sim?.calls.filter((c) => c.operation === 'CreateAddon').map((c) => c.status)).toEqual([200, 200]);
  });

  it('over a self-managed install with custom settings, NONE ends CREATE_FAILED with a ConfigurationConflict', async () => {
    // Prepare
    const { eks } = await start([
      { name: 'c1', kubernetesVersion: '1.29', selfManaged: { version: 'v1.18.1', env: { WARM_IP_TARGET: '5' }, resources: { requests: { cpu: '50m' } } } },
    ]);
    // Act
    await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.18.1-eksbuild.1', resolveConflicts: 'NONE' }));
    const failed = await after(eks, 'CREATING');
    // Assess
    expect(failed.addon?.status).toBe('CREATE_FAILED');
    expect(failed.addon?.health?.issues).toEqual([
      {
        code: 'ConfigurationConflict',
        message:
          'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts:\n' +
          'DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="WARM_IP_TARGET"].value\n' +
          'DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].resources.requests.cpu',
      },
    ]);
    expect(sim?.cluster('c1')?.selfManaged?.env).toEqual({ WARM_IP_TARGET: '5' });
  });

  it('over a self-managed install, PRESERVE fails too and OVERWRITE takes the DaemonSet over', async () => {
    // Prepare
    const { eks } = await start([
      { name: 'c1', kubernetesVersion: '1.29', selfManaged: { version: 'v1.18.1', env: { WARM_IP_TARGET: '5' } } },
      { name: 'c2', kubernetesVersion: '1.29', selfManaged: { version: 'v1.18.1', env: { WARM_IP_TARGET: '5' } } },
    ]);
    // Act
    await eks.send(new CreateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.18.1-eksbuild.1', resolveConflicts: 'PRESERVE' }));
    await eks.send(new CreateAddonCommand({ clusterName: 'c2', addonName: 'vpc-cni', addonVersion: 'v1.18.1-eksbuild.1', resolveConflicts: 'OVERWRITE' }));
    const preserved = await after(eks, 'CREATING', 'c1');
    const overwritten = await after(eks, 'CREATING', 'c2');
    // Assess
    expect(preserved.addon?.status).toBe('CREATE_FAILED');
    expect(overwritten.addon?.status).toBe('ACTIVE');
    expect(sim?.cluster('c2')?.selfManaged).toBeUndefined();
  });
});

describe('DeleteAddon', () => {
  it('goes DELETING, then the add-on is gone', async () => {
    // Prepare
    const { eks } = await start([{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } }]);
    // Act
    const { addon } = await eks.send(new DeleteAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
    sim?.clock.advance(3_600_000);
    // Assess
    expect(addon?.status).toBe('DELETING');
    await expect(describeAddon(eks)).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'No addon: vpc-cni found in cluster: c1' });
    expect(sim?.cluster('c1')?.addon).toBeUndefined();
  });

  it('with preserve=true leaves the software as a self-managed install', async () => {
    // Prepare
    const fleetAddon = { version: 'v1.18.1-eksbuild.1', configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}', serviceAccountRoleArn: ROLE };
    const { eks } = await start([{ name: 'c1', kubernetesVersion: '1.29', addon: fleetAddon }]);
    // Act
    await eks.send(new DeleteAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', preserve: true }));
    sim?.clock.advance(3_600_000);
    await expect(describeAddon(eks)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Assess
    expect(sim?.cluster('c1')?.selfManaged).toEqual({ version: 'v1.18.1-eksbuild.1', env: { WARM_IP_TARGET: '5' }, serviceAccountRoleArn: ROLE });
    expect(sim?.calls.at(-2)).toMatchObject({ operation: 'DeleteAddon', mutating: true, status: 200 });
  });
});
