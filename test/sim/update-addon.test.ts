import {
  DescribeAddonCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  UpdateAddonCommand,
  paginateListUpdates,
  type EKSClient,
  type Update,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil, startTestSimulator, type FleetLike, type TestSimulator } from '../helpers/start-simulator.js';

const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/**
 * One cluster `c1` on Kubernetes 1.29 with vpc-cni v1.18.1 and custom settings. Updates take 600 virtual s
 * (0.6 s real at 1000×), so a test sees UPDATING however slow the machine; `settled` jumps the clock.
 */
async function start(overrides: { settings?: FleetLike['settings']; addon?: Partial<NonNullable<FleetLike['clusters'][number]['addon']>> } = {}) {
  sim = await startTestSimulator({
    settings: { updateSeconds: 600, secondsPerNode: 0, ...overrides.settings },
    clusters: [
      {
        name: 'c1',
        kubernetesVersion: '1.29',
        addon: {
          version: 'v1.18.1-eksbuild.1',
          configurationValues: CONFIG,
          serviceAccountRoleArn: ROLE,
          podIdentityAssociations: [{ serviceAccount: 'aws-node', roleArn: ROLE }],
          ...overrides.addon,
        },
      },
    ],
  });
  return sim;
}

const describeAddon = (eks: EKSClient) => eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
const describeUpdate = (eks: EKSClient, update: Update | undefined) =>
  eks.send(new DescribeUpdateCommand({ name: 'c1', updateId: update?.id ?? '', addonName: 'vpc-cni' }));
/** Waits for the update to end, first jumping virtual time past its duration. */
const settled = (eks: EKSClient, update: Update | undefined) => {
  sim?.clock.advance(3_600_000);
  return pollUntil(() => describeUpdate(eks, update), (r) => r.update?.status !== 'InProgress');
};

describe('UpdateAddon', () => {
  it('returns an InProgress AddonUpdate, goes UPDATING, then Successful and ACTIVE at the new version', async () => {
    // Prepare
    const { eks } = await start();
    // Act
    const { update } = await eks.send(
      new UpdateAddonCommand({
        clusterName: 'c1',
        addonName: 'vpc-cni',
        addonVersion: 'v1.19.0-eksbuild.1',
        serviceAccountRoleArn: ROLE,
        resolveConflicts: 'PRESERVE',
        configurationValues: CONFIG,
      }),
    );
    const during = await describeAddon(eks);
    // Real time, not a clock jump: the update lands after ~0.6 s at 1000×.
    const done = await pollUntil(() => describeUpdate(eks, update), (r) => r.update?.status !== 'InProgress', { attempts: 500 });
    const after = await describeAddon(eks);
    // Assess
    expect(update).toMatchObject({ status: 'InProgress', type: 'AddonUpdate', errors: [] });
    expect(update?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(update?.createdAt).toBeInstanceOf(Date);
    // docs/eks-behaviour.md#the-update-lifecycle: params in the order AddonVersion, ServiceAccountRoleArn,
    // ResolveConflicts, ConfigurationValues
    expect(update?.params).toEqual([
      { type: 'AddonVersion', value: 'v1.19.0-eksbuild.1' },
      { type: 'ServiceAccountRoleArn', value: ROLE },
      { type: 'ResolveConflicts', value: 'PRESERVE' },
      { type: 'ConfigurationValues', value: CONFIG },
    ]);
    expect(during.addon?.status).toBe('UPDATING');
    expect(during.addon?.addonVersion).toBe('v1.18.1-eksbuild.1');
    expect(done.update?.status).toBe('Successful');
    expect(after.addon).toMatchObject({ status: 'ACTIVE', addonVersion: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: ROLE, configurationValues: CONFIG });
    expect(sim?.cluster('c1')?.updates).toMatchObject([{ id: update?.id, status: 'Successful', type: 'AddonUpdate' }]);
  });

  it('answers 409 ResourceInUseException while the add-on is UPDATING', async () => {
    // Prepare
    const { eks } = await start();
    await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: ROLE }));
    // Act / Assess
    await expect(
      eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.2-eksbuild.1', serviceAccountRoleArn: ROLE })),
    ).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: 'Addon vpc-cni cannot be updated as it is currently in UPDATING state',
      clusterName: 'c1',
      addonName: 'vpc-cni',
      $metadata: { httpStatusCode: 409 },
    });
    expect(sim?.calls.at(-1)).toMatchObject({ operation: 'UpdateAddon', mutating: true, status: 409, addonStatusBefore: 'UPDATING' });
  });

  it('enforces the one-minor rule by default, up and down', async () => {
    // Prepare
    const { eks } = await start();
    // Act / Assess
    for (const addonVersion of ['v1.20.1-eksbuild.1', 'v1.16.4-eksbuild.2'])
      await expect(eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: 'Updating VPC-CNI can only go up or down 1 minor version at a time',
        $metadata: { httpStatusCode: 400 },
      });
    expect(sim?.cluster('c1')?.addon?.status).toBe('ACTIVE');
  });

  it('allows multi-minor jumps when settings.oneMinorRule is off', async () => {
    // Prepare
    const { eks } = await start({ settings: { oneMinorRule: false } });
    // Act
    const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.20.1-eksbuild.1' }));
    const done = await settled(eks, update);
    // Assess
    expect(done.update?.status).toBe('Successful');
    expect(sim?.cluster('c1')?.addon?.addonVersion).toBe('v1.20.1-eksbuild.1');
  });

  it('refuses unknown builds and builds not offered for the cluster Kubernetes version', async () => {
    // Prepare
    const { eks } = await start();
    // Act / Assess: v1.19.9 does not exist; v1.6.3 is not offered for 1.29 (catalogue window)
    for (const addonVersion of ['v1.19.9-eksbuild.1', 'v1.6.3-eksbuild.2'])
      await expect(eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion }))).rejects.toMatchObject({
        name: 'InvalidParameterException',
        message: 'Addon version specified is not supported',
        clusterName: 'c1',
        addonName: 'vpc-cni',
      });
  });

  it('keeps the configuration when configurationValues is omitted and resets it with "{}"', async () => {
    // Prepare
    const { eks } = await start();
    // Act
    const first = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: ROLE }));
    await settled(eks, first.update);
    const kept = (await describeAddon(eks)).addon?.configurationValues;
    const second = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', configurationValues: '{}', serviceAccountRoleArn: ROLE }));
    await settled(eks, second.update);
    const reset = (await describeAddon(eks)).addon;
    // Assess
    expect(kept).toBe(CONFIG);
    expect(second.update?.params).toEqual([
      { type: 'ServiceAccountRoleArn', value: ROLE },
      { type: 'ConfigurationValues', value: '{}' },
    ]);
    expect(reset?.configurationValues).toBe('{}');
    expect(reset?.addonVersion).toBe('v1.19.0-eksbuild.1');
  });

  it('drops the role when serviceAccountRoleArn is omitted and keeps it when re-sent', async () => {
    // Prepare
    const { eks } = await start();
    // Act
    const resent = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.18.3-eksbuild.1', serviceAccountRoleArn: ROLE }));
    await settled(eks, resent.update);
    const kept = (await describeAddon(eks)).addon;
    const omitted = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1' }));
    await settled(eks, omitted.update);
    const dropped = (await describeAddon(eks)).addon;
    // Assess
    expect(kept?.serviceAccountRoleArn).toBe(ROLE);
    // Real EKS sends "serviceAccountRoleArn": null; the SDK drops it (docs/eks-behaviour.md#explicit-nulls).
    expect(dropped?.serviceAccountRoleArn).toBeUndefined();
    expect(sim?.cluster('c1')?.addon?.serviceAccountRoleArn).toBeUndefined();
  });

  it('keeps the role when omitted if settings.omittedRoleClears is off', async () => {
    // Prepare
    const { eks } = await start({ settings: { omittedRoleClears: false } });
    // Act
    const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1' }));
    await settled(eks, update);
    // Assess
    expect((await describeAddon(eks)).addon?.serviceAccountRoleArn).toBe(ROLE);
  });

  it('keeps pod identity associations when omitted and removes them with []', async () => {
    // Prepare
    const { eks } = await start();
    // Act
    const first = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: ROLE }));
    await settled(eks, first.update);
    const kept = (await describeAddon(eks)).addon?.podIdentityAssociations;
    const second = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', podIdentityAssociations: [], serviceAccountRoleArn: ROLE }));
    await settled(eks, second.update);
    const removed = (await describeAddon(eks)).addon?.podIdentityAssociations;
    // Assess
    expect(kept).toHaveLength(1);
    expect(kept?.[0]).toMatch(/^arn:aws:eks:us-east-1:111122223333:podidentityassociation\/c1\/a-[0-9a-f]{17}$/);
    expect(second.update?.params?.map((p) => p.type)).toEqual(['ServiceAccountRoleArn', 'PodIdentityAssociations']);
    expect(removed).toEqual([]);
  });

  it('rejects configuration keys the target build does not know, with the EKS message', async () => {
    // Prepare
    const { eks } = await start();
    // Act / Assess
    await expect(
      eks.send(
        new UpdateAddonCommand({
          clusterName: 'c1',
          addonName: 'vpc-cni',
          configurationValues: '{"env":{"WARM_IP_TARGET":"5","NOT_A_SETTING":"1"}}',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message:
        'ConfigurationValue provided in request is not supported [$.env.NOT_A_SETTING: is not defined in the schema and the schema does not allow additional properties]',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('validates the kept configuration against the target build (ENABLE_V4_EGRESS is unknown before v1.15.1)', async () => {
    // Prepare
    sim = await startTestSimulator({
      settings: { oneMinorRule: false, updateSeconds: 600 },
      clusters: [
        { name: 'c1', kubernetesVersion: '1.26', addon: { version: 'v1.15.1-eksbuild.1', configurationValues: 'env:\n  ENABLE_V4_EGRESS: "false"\n' } },
      ],
    });
    // Act / Assess
    await expect(
      sim.eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.14.1-eksbuild.1' })),
    ).rejects.toMatchObject({
      message:
        'ConfigurationValue provided in request is not supported [$.env.ENABLE_V4_EGRESS: is not defined in the schema and the schema does not allow additional properties]',
    });
  });

  it('returns the same update for a repeated clientRequestToken instead of a 409', async () => {
    // Prepare
    const { eks } = await start();
    const input = { clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', clientRequestToken: 'token-1' };
    // Act
    const first = await eks.send(new UpdateAddonCommand(input));
    const again = await eks.send(new UpdateAddonCommand(input));
    // Assess
    expect(again.update?.id).toBe(first.update?.id);
    expect(sim?.cluster('c1')?.updates).toHaveLength(1);
  });

  it('accepts resolveConflicts in any case and echoes it as sent', async () => {
    // Prepare
    const { eks } = await start();
    // Act
    const { update } = await eks.send(
      new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', resolveConflicts: 'overwrite' as 'OVERWRITE', serviceAccountRoleArn: ROLE }),
    );
    // Assess
    expect(update?.params).toContainEqual({ type: 'ResolveConflicts', value: 'overwrite' });
  });

  it('answers 404 for a missing add-on or cluster', async () => {
    // Prepare
    const { eks } = await start();
    // Act / Assess
    await expect(eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'coredns' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'No addon: coredns found in cluster: c1',
    });
    await expect(eks.send(new UpdateAddonCommand({ clusterName: 'zz', addonName: 'vpc-cni' }))).rejects.toMatchObject({
      message: 'No cluster found for name: zz.',
    });
  });
});

describe('DescribeUpdate and ListUpdates', () => {
  it('DescribeUpdate without addonName answers 404 `No update found for ID: X`', async () => {
    // Prepare
    const { eks } = await start();
    const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1' }));
    // Act / Assess
    await expect(eks.send(new DescribeUpdateCommand({ name: 'c1', updateId: update?.id ?? '' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `No update found for ID: ${update?.id}`,
      clusterName: 'c1',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(eks.send(new DescribeUpdateCommand({ name: 'c1', updateId: 'no-such-id', addonName: 'vpc-cni' }))).rejects.toMatchObject({
      message: 'No update found for ID: no-such-id',
    });
  });

  it('ListUpdates lists the add-on update ids, paged with small maxResults', async () => {
    // Prepare
    const { eks } = await start();
    const ids: string[] = [];
    for (const addonVersion of ['v1.18.2-eksbuild.1', 'v1.18.3-eksbuild.1', 'v1.18.5-eksbuild.1']) {
      const { update } = await eks.send(new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion }));
      ids.push(update?.id ?? '');
      await settled(eks, update);
    }
    const pages: string[][] = [];
    // Act
    for await (const page of paginateListUpdates({ client: eks, pageSize: 2 }, { name: 'c1', addonName: 'vpc-cni' })) pages.push(page.updateIds ?? []);
    const controlPlane = await eks.send(new ListUpdatesCommand({ name: 'c1' }));
    // Assess
    expect(pages).toEqual([ids.slice(0, 2), ids.slice(2)]);
    expect(controlPlane.updateIds).toEqual([]);
  });
});
