import { DescribeAddonCommand, DescribePodIdentityAssociationCommand, DescribeUpdateCommand, UpdateAddonCommand, type EKSClient } from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil, startTestSimulator, type FleetLike, type TestSimulator } from '../helpers/start-simulator.js';

const CNI_ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const PAIRS = [
  { serviceAccount: 'aws-node', roleArn: CNI_ROLE },
  { serviceAccount: 'aws-node-extra', roleArn: 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRoleExtra' },
];

let sim: TestSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** One cluster `c1` whose vpc-cni add-on owns two pod identity associations; updates take 600 virtual s. */
async function start(faults: NonNullable<FleetLike['clusters'][number]['faults']> = []) {
  sim = await startTestSimulator({
    settings: { updateSeconds: 600, secondsPerNode: 0 },
    clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1', serviceAccountRoleArn: CNI_ROLE, podIdentityAssociations: PAIRS }, faults }],
  });
  return sim;
}

const describeAddon = async (eks: EKSClient) => (await eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }))).addon;
const idOf = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
const describeAssociation = (eks: EKSClient, arn: string) => eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'c1', associationId: idOf(arn) }));

describe('DescribePodIdentityAssociation', () => {
  it('describes each association the add-on lists: its pair, kube-system, the add-on as owner', async () => {
    // Prepare
    const { eks } = await start();
    const addon = await describeAddon(eks);

    // Act
    const described = await Promise.all((addon?.podIdentityAssociations ?? []).map((arn) => describeAssociation(eks, arn)));

    // Assess
    expect(described).toHaveLength(2);
    expect(described.map((d) => [d.association?.serviceAccount, d.association?.roleArn])).toEqual(PAIRS.map((p) => [p.serviceAccount, p.roleArn]));
    for (const [i, { association }] of described.entries()) {
      const arn = addon?.podIdentityAssociations?.[i] ?? '';
      expect(association).toMatchObject({ clusterName: 'c1', namespace: 'kube-system', associationArn: arn, associationId: idOf(arn), tags: {}, ownerArn: addon?.addonArn });
      expect(association?.associationId).toMatch(/^a-[0-9a-f]{17}$/);
      // epoch-second timestamps, parsed to Dates by the SDK
      expect(association?.createdAt).toBeInstanceOf(Date);
      expect(association?.modifiedAt).toBeInstanceOf(Date);
    }
  });

  it('answers 404 ResourceNotFoundException for an unknown id, and logs the call as a read', async () => {
    // Prepare
    const { eks } = await start();

    // Act
    const error = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'c1', associationId: 'a-00000000000000000' })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    expect(sim?.calls.filter((c) => c.operation === 'DescribePodIdentityAssociation')).toEqual([
      expect.objectContaining({ cluster: 'c1', mutating: false, status: 404, errorType: 'ResourceNotFoundException' }),
    ]);
  });

  it('can be the target of an operation fault (THROTTLE)', async () => {
    // Prepare
    const { client } = await start([{ effect: 'THROTTLE', count: 1, operation: 'DescribePodIdentityAssociation' }]);
    const eks = client({ maxAttempts: 1 });
    const [arn] = (await describeAddon(eks))?.podIdentityAssociations ?? [];

    // Act
    const first = await describeAssociation(eks, arn ?? '').catch((e: unknown) => e);
    const second = await describeAssociation(eks, arn ?? '');

    // Assess
    expect(first).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(second.association?.serviceAccount).toBe('aws-node');
  });
});

describe('UpdateAddon re-sending the same pod identity pairs', () => {
  it('keeps the same associations (ARNs, createdAt) and records the PodIdentityAssociations param', async () => {
    // Prepare
    const { eks } = await start();
    const before = await describeAddon(eks);
    const describedBefore = await describeAssociation(eks, before?.podIdentityAssociations?.[0] ?? '');

    // Act
    const { update } = await eks.send(
      new UpdateAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni', addonVersion: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: CNI_ROLE, podIdentityAssociations: PAIRS }),
    );
    sim?.clock.advance(3_600_000);
    const done = await pollUntil(
      () => eks.send(new DescribeUpdateCommand({ name: 'c1', updateId: update?.id ?? '', addonName: 'vpc-cni' })),
      (r) => r.update?.status !== 'InProgress',
    );
    const after = await describeAddon(eks);
    const describedAfter = await describeAssociation(eks, after?.podIdentityAssociations?.[0] ?? '');

    // Assess
    expect(done.update?.status).toBe('Successful');
    expect(after?.addonVersion).toBe('v1.19.0-eksbuild.1');
    expect(after?.podIdentityAssociations).toEqual(before?.podIdentityAssociations);
    expect(describedAfter.association?.createdAt).toEqual(describedBefore.association?.createdAt);
    expect(update?.params?.find((p) => p.type === 'PodIdentityAssociations')?.value).toBe(JSON.stringify(PAIRS));
  });
});
