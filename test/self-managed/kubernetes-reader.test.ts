import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAddonCommand, DescribeAddonCommand, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { credentialsOf } from '../../lib/aws/clients.js';
import { KubernetesAccessError } from '../../lib/errors.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import { connectCluster, type ClusterReader } from '../../lib/kubernetes/cluster-reader.js';
import type { JsonObject } from '../../lib/json.js';
import { startSimulator, type Simulator } from '../../sim/server.js';

const KEY = { accessKeyId: 'AKIDREADERTEST', secretAccessKey: 'reader-secret' };
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';

const fleet = parseFleetFile(
  JSON.stringify({
    settings: { updateSeconds: 30, secondsPerNode: 0 },
    clusters: [
      {
        name: 'custom',
        kubernetesVersion: '1.28',
        selfManaged: { version: 'v1.15.1', env: { WARM_IP_TARGET: '3' }, initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' }, serviceAccountRoleArn: ROLE },
      },
      { name: 'overwrite', kubernetesVersion: '1.28', selfManaged: { version: 'v1.15.1', env: { WARM_IP_TARGET: '3', MINIMUM_IP_TARGET: '8' } } },
      { name: 'none-mode', kubernetesVersion: '1.28', selfManaged: { version: 'v1.15.1', env: { WARM_IP_TARGET: '3' } } },
      { name: 'fargate', kubernetesVersion: '1.28', compute: 'fargate', nodes: 2, selfManaged: { version: 'v1.15.1' } },
      { name: 'bare', kubernetesVersion: '1.28' },
    ],
  }),
);

type Env = { name: string; value?: string }[];
const podSpec = (ds: JsonObject | undefined) => (ds as { spec: { template: { spec: { containers: { name: string; image: string; env: Env }[]; initContainers: { env: Env }[] } } } }).spec.template.spec;
const envOf = (ds: JsonObject | undefined): Record<string, string | undefined> =>
  Object.fromEntries(podSpec(ds).containers.find((c) => c.name === 'aws-node')!.env.map((e) => [e.name, e.value]));

describe('the read-only Kubernetes client against the simulator', () => {
  let sim: Simulator;
  let eks: EKSClient;
  const connect = async (name: string, credentials = credentialsOf(eks)): Promise<ClusterReader> => {
    const cluster = (await eks.send(new DescribeClusterCommand({ name }))).cluster!;
    return connectCluster({ name, region: 'us-east-1', key: `111122223333/us-east-1/${name}`, endpoint: cluster.endpoint!, certificateAuthority: cluster.certificateAuthority?.data }, credentials);
  };
  const settle = async (name: string) => {
    sim.clock.advance(3_600_000);
    return (await eks.send(new DescribeAddonCommand({ clusterName: name, addonName: 'vpc-cni' }))).addon;
  };

  beforeAll(async () => {
    sim = await startSimulator({ fleet, speed: 1000, unref: true, knownCredentials: [KEY] });
    eks = new EKSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: KEY });
  });
  afterAll(async () => {
    eks?.destroy();
    await sim?.close();
  });

  it('DescribeCluster reports the endpoint where the cluster API answers, and its CA', async () => {
    // Act
    const cluster = (await eks.send(new DescribeClusterCommand({ name: 'custom' }))).cluster!;
    // Assess
    expect(cluster.endpoint).toBe(`${sim.endpoint}/k8s/111122223333/us-east-1/custom`);
    expect(Buffer.from(cluster.certificateAuthority!.data!, 'base64').toString()).toContain('BEGIN CERTIFICATE');
  });

  it('reads the aws-node DaemonSet (custom env over the version defaults) and the IRSA annotation', async () => {
    // Prepare
    const reader = await connect('custom');
    // Act
    const daemonSet = await reader.readDaemonSet();
    const serviceAccount = await reader.readServiceAccount();
    // Assess
    expect(podSpec(daemonSet).containers[0]!.image).toBe('602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.15.1');
    expect(envOf(daemonSet)).toMatchObject({ WARM_IP_TARGET: '3', WARM_ENI_TARGET: '1', AWS_VPC_K8S_CNI_EXTERNALSNAT: 'false', CLUSTER_NAME: 'custom' });
    expect(podSpec(daemonSet).initContainers[0]!.env).toContainEqual({ name: 'DISABLE_TCP_EARLY_DEMUX', value: 'true' });
    expect((serviceAccount as { metadata: { annotations: Record<string, string> } }).metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
  });

  it('tells Fargate-only clusters apart by their nodes', async () => {
    // Prepare
    const [fargate, ec2] = await Promise.all([connect('fargate'), connect('custom')]);
    // Act
    const found = await Promise.all([
      fargate.anyNode('eks.amazonaws.com/compute-type!=fargate'),
      fargate.anyNode('eks.amazonaws.com/compute-type=fargate'),
      ec2.anyNode('eks.amazonaws.com/compute-type!=fargate'),
    ]);
    // Assess
    expect(found).toEqual([false, true, true]);
  });

  it('answers undefined for a DaemonSet that does not exist', async () => {
    // Prepare
    const reader = await connect('bare');
    // Act
    const [daemonSet, serviceAccount] = await Promise.all([reader.readDaemonSet(), reader.readServiceAccount()]);
    // Assess
    expect(daemonSet).toBeUndefined();
    expect(serviceAccount).toBeUndefined();
  });

  it('turns a 401 into KubernetesAccessError', async () => {
    // Prepare
    const reader = await connect('custom', async () => ({ ...KEY, secretAccessKey: 'wrong' }));
    // Act
    const read = reader.readDaemonSet();
    // Assess
    await expect(read).rejects.toBeInstanceOf(KubernetesAccessError);
    await expect(read).rejects.toMatchObject({ status: 401 });
  });

  it('after CreateAddon OVERWRITE the DaemonSet is the build defaults plus configurationValues: what was not sent is gone', async () => {
    // Act
    await eks.send(
      new CreateAddonCommand({ clusterName: 'overwrite', addonName: 'vpc-cni', addonVersion: 'v1.15.5-eksbuild.1', resolveConflicts: 'OVERWRITE', configurationValues: '{"env":{"WARM_IP_TARGET":"3"}}' }),
    );
    const addon = await settle('overwrite');
    const daemonSet = await (await connect('overwrite')).readDaemonSet();
    // Assess
    expect(addon?.status).toBe('ACTIVE');
    expect(podSpec(daemonSet).containers[0]!.image).toMatch(/:v1\.15\.5-eksbuild\.1$/);
    expect(envOf(daemonSet).WARM_IP_TARGET).toBe('3');
    expect(envOf(daemonSet).MINIMUM_IP_TARGET).toBeUndefined();
  });

  it('CreateAddon NONE over conflicting custom settings ends CREATE_FAILED and leaves the DaemonSet as it was', async () => {
    // Act
    await eks.send(new CreateAddonCommand({ clusterName: 'none-mode', addonName: 'vpc-cni', addonVersion: 'v1.15.5-eksbuild.1', resolveConflicts: 'NONE' }));
    const addon = await settle('none-mode');
    const daemonSet = await (await connect('none-mode')).readDaemonSet();
    // Assess
    expect(addon?.status).toBe('CREATE_FAILED');
    expect(addon?.health?.issues?.[0]?.code).toBe('ConfigurationConflict');
    expect(podSpec(daemonSet).containers[0]!.image).toMatch(/:v1\.15\.1$/);
    expect(envOf(daemonSet).WARM_IP_TARGET).toBe('3');
  });
});
