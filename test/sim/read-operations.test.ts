import {
  DescribeAddonCommand,
  DescribeAddonConfigurationCommand,
  DescribeAddonVersionsCommand,
  DescribeClusterCommand,
  ListAddonsCommand,
  ListClustersCommand,
  paginateDescribeAddonVersions,
  paginateListClusters,
} from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../sim/catalogue/catalogue.js';
import { startTestSimulator, type TestSimulator } from '../helpers/start-simulator.js';

const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';

describe('simulator read operations over the real SDK', () => {
  let sim: TestSimulator;

  beforeAll(async () => {
    sim = await startTestSimulator({
      clusters: [
        {
          name: 'alpha',
          kubernetesVersion: '1.29',
          tags: { team: 'net' },
          platformVersion: 'eks.7',
          addon: { version: 'v1.18.1-eksbuild.1', configurationValues: 'env:\n  WARM_IP_TARGET: "5"\n', serviceAccountRoleArn: ROLE },
        },
        { name: 'bravo', kubernetesVersion: '1.30', compute: 'auto' },
        ...['c01', 'c02', 'c03', 'c04', 'c05'].map((name) => ({ name, kubernetesVersion: '1.29' })),
        { name: 'eu-one', region: 'eu-west-1', kubernetesVersion: '1.31', addon: { version: 'v1.19.0-eksbuild.1' } },
        { name: 'other-account', accountId: '444455556666', kubernetesVersion: '1.29' },
      ],
    });
  });
  afterAll(() => sim.close());

  it('ListClusters lists the clusters of the request region', async () => {
    // Act
    const east = await sim.eks.send(new ListClustersCommand({}));
    const west = await sim.client({ region: 'eu-west-1' }).send(new ListClustersCommand({}));
    // Assess
    expect(east.clusters).toEqual(['alpha', 'bravo', 'c01', 'c02', 'c03', 'c04', 'c05', 'other-account']);
    expect(east.nextToken).toBeUndefined();
    expect(west.clusters).toEqual(['eu-one']);
  });

  it('ListClusters scopes to one account when the access key id is a 12-digit account id', async () => {
    // Act
    const other = await sim.client({ accessKeyId: '444455556666' }).send(new ListClustersCommand({}));
    // Assess
    expect(other.clusters).toEqual(['other-account']);
  });

  it('ListClusters pages with small maxResults and an opaque nextToken', async () => {
    // Prepare
    const pages: string[][] = [];
    // Act
    for await (const page of paginateListClusters({ client: sim.eks, pageSize: 3 }, {})) pages.push(page.clusters ?? []);
    // Assess
    expect(pages).toEqual([['alpha', 'bravo', 'c01'], ['c02', 'c03', 'c04'], ['c05', 'other-account']]);
  });

  it('ListClusters refuses maxResults outside 1..100 and a forged nextToken', async () => {
    // Act / Assess
    await expect(sim.eks.send(new ListClustersCommand({ maxResults: 101 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(sim.eks.send(new ListClustersCommand({ nextToken: 'not-a-token' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('DescribeCluster returns a realistic cluster', async () => {
    // Act
    const { cluster } = await sim.eks.send(new DescribeClusterCommand({ name: 'alpha' }));
    // Assess
    expect(cluster).toMatchObject({
      name: 'alpha',
      arn: 'arn:aws:eks:us-east-1:111122223333:cluster/alpha',
      version: '1.29',
      status: 'ACTIVE',
      platformVersion: 'eks.7',
      tags: { team: 'net' },
      upgradePolicy: { supportType: 'STANDARD' },
    });
    expect(cluster?.createdAt).toBeInstanceOf(Date);
    // The cluster's Kubernetes API is served by the simulator itself (sim/kubernetes).
    expect(cluster?.endpoint).toBe(`${sim.endpoint}/k8s/111122223333/us-east-1/alpha`);
    expect(cluster?.identity?.oidc?.issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(Buffer.from(cluster?.certificateAuthority?.data ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(cluster?.computeConfig).toBeUndefined();
  });

  it('DescribeCluster shows computeConfig for EKS Auto Mode clusters', async () => {
    // Act
    const { cluster } = await sim.eks.send(new DescribeClusterCommand({ name: 'bravo' }));
    // Assess
    expect(cluster?.computeConfig?.enabled).toBe(true);
  });

  it('DescribeCluster answers 404 with the EKS message for an unknown or out-of-region cluster', async () => {
    // Act / Assess
    await expect(sim.eks.send(new DescribeClusterCommand({ name: 'eu-one' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'No cluster found for name: eu-one.',
      clusterName: 'eu-one',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('ListAddons lists vpc-cni only where it is installed', async () => {
    // Act
    const withAddon = await sim.eks.send(new ListAddonsCommand({ clusterName: 'alpha' }));
    const without = await sim.eks.send(new ListAddonsCommand({ clusterName: 'bravo' }));
    // Assess
    expect(withAddon.addons).toEqual(['vpc-cni']);
    expect(without.addons).toEqual([]);
  });

  it('DescribeAddon returns the add-on with epoch-second timestamps parsed as dates and YAML kept verbatim', async () => {
    // Act
    const { addon, $metadata } = await sim.eks.send(new DescribeAddonCommand({ clusterName: 'alpha', addonName: 'vpc-cni' }));
    // Assess
    expect(addon).toMatchObject({
      addonName: 'vpc-cni',
      clusterName: 'alpha',
      status: 'ACTIVE',
      addonVersion: 'v1.18.1-eksbuild.1',
      health: { issues: [] },
      serviceAccountRoleArn: ROLE,
      configurationValues: 'env:\n  WARM_IP_TARGET: "5"\n',
      owner: 'aws',
      publisher: 'eks',
    });
    expect(addon?.addonArn).toMatch(/^arn:aws:eks:us-east-1:111122223333:addon\/alpha\/vpc-cni\/[0-9a-f-]{36}$/);
    expect(addon?.createdAt?.getTime()).toBeGreaterThan(0);
    expect($metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('DescribeAddon answers 404 `No addon: … found in cluster: …` when the add-on is missing', async () => {
    // Act / Assess
    await expect(sim.eks.send(new DescribeAddonCommand({ clusterName: 'bravo', addonName: 'vpc-cni' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'No addon: vpc-cni found in cluster: bravo',
      clusterName: 'bravo',
      addonName: 'vpc-cni',
    });
  });

  it('DescribeAddonVersions lists the builds for a Kubernetes version newest first, one default', async () => {
    // Prepare
    const expected = loadCatalogue().compatibleBuilds('1.29');
    // Act
    const { addons } = await sim.eks.send(new DescribeAddonVersionsCommand({ addonName: 'vpc-cni', kubernetesVersion: '1.29' }));
    // Assess
    expect(addons).toHaveLength(1);
    const info = addons?.[0];
    expect(info).toMatchObject({ addonName: 'vpc-cni', type: 'networking', owner: 'aws', publisher: 'eks' });
    expect(info?.addonVersions?.map((v) => v.addonVersion)).toEqual(expected.map((b) => b.version));
    const defaults = info?.addonVersions?.filter((v) => v.compatibilities?.some((c) => c.defaultVersion));
    expect(defaults?.map((v) => v.addonVersion)).toEqual(expected.filter((b) => b.isDefault).map((b) => b.version));
    expect(info?.addonVersions?.[0]).toMatchObject({
      architecture: ['amd64', 'arm64'],
      computeTypes: ['ec2', 'auto', 'hybrid'],
      compatibilities: [{ clusterVersion: '1.29', platformVersions: ['*'] }],
      requiresConfiguration: false,
      requiresIamPermissions: true,
    });
  });

  it('DescribeAddonVersions pages over addonVersions and the paginator joins them', async () => {
    // Prepare
    const all = loadCatalogue().builds.map((b) => b.version);
    const pageSizes: number[] = [];
    const joined: string[] = [];
    // Act
    for await (const page of paginateDescribeAddonVersions({ client: sim.eks, pageSize: 40 }, { addonName: 'vpc-cni' })) {
      const versions = page.addons?.flatMap((a) => a.addonVersions ?? []) ?? [];
      pageSizes.push(versions.length);
      joined.push(...versions.map((v) => v.addonVersion ?? ''));
    }
    // Assess
    expect(pageSizes.every((n) => n <= 40)).toBe(true);
    expect(pageSizes.length).toBe(Math.ceil(all.length / 40));
    expect(joined).toEqual(all);
  });

  it('DescribeAddonVersions is empty for another add-on, type or unknown Kubernetes version', async () => {
    // Act
    const coredns = await sim.eks.send(new DescribeAddonVersionsCommand({ addonName: 'coredns' }));
    const storage = await sim.eks.send(new DescribeAddonVersionsCommand({ types: ['storage'] }));
    const future = await sim.eks.send(new DescribeAddonVersionsCommand({ addonName: 'vpc-cni', kubernetesVersion: '1.99' }));
    // Assess
    expect(coredns.addons).toEqual([]);
    expect(storage.addons).toEqual([]);
    expect(future.addons).toEqual([]);
  });

  it('DescribeAddonConfiguration returns the schema as a string, differing between builds', async () => {
    // Act
    const v1151 = await sim.eks.send(new DescribeAddonConfigurationCommand({ addonName: 'vpc-cni', addonVersion: 'v1.15.1-eksbuild.1' }));
    const v1141 = await sim.eks.send(new DescribeAddonConfigurationCommand({ addonName: 'vpc-cni', addonVersion: 'v1.14.1-eksbuild.1' }));
    // Assess
    expect(typeof v1151.configurationSchema).toBe('string');
    const schema = JSON.parse(v1151.configurationSchema ?? '');
    expect(schema.$schema).toBe('http://json-schema.org/draft-06/schema#');
    expect(schema.definitions.Env.properties.ENABLE_V4_EGRESS).toBeDefined();
    expect(JSON.parse(v1141.configurationSchema ?? '').definitions.Env.properties.ENABLE_V4_EGRESS).toBeUndefined();
    expect(v1151.podIdentityConfiguration).toEqual([
      { serviceAccount: 'aws-node', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] },
    ]);
  });

  it('DescribeAddonConfiguration refuses an unknown build', async () => {
    // Act / Assess
    await expect(
      sim.eks.send(new DescribeAddonConfigurationCommand({ addonName: 'vpc-cni', addonVersion: 'v9.9.9-eksbuild.1' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'Addon version specified is not supported' });
  });

  it('records every call with its operation, region, status and error type', async () => {
    // Prepare
    const before = sim.calls.length;
    // Act
    await sim.eks.send(new DescribeAddonCommand({ clusterName: 'alpha', addonName: 'vpc-cni' }));
    await sim.eks.send(new DescribeClusterCommand({ name: 'nope' })).catch(() => undefined);
    await sim.client({ region: 'eu-west-1' }).send(new ListClustersCommand({}));
    // Assess
    const recent = sim.calls.slice(before);
    expect(recent).toMatchObject([
      { seq: before + 1, operation: 'DescribeAddon', cluster: 'alpha', region: 'us-east-1', mutating: false, status: 200, addonStatusBefore: 'ACTIVE' },
      { seq: before + 2, operation: 'DescribeCluster', cluster: 'nope', status: 404, errorType: 'ResourceNotFoundException' },
      { seq: before + 3, operation: 'ListClusters', region: 'eu-west-1', status: 200 },
    ]);
    expect(recent[0]?.at).toBeLessThanOrEqual(recent[2]?.at ?? 0);
    expect(sim.count({ cluster: 'alpha', operation: 'DescribeAddon' })).toBeGreaterThanOrEqual(2);
    expect(sim.count({ mutating: true })).toBe(0);
  });
});
