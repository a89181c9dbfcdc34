import { EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../lib/fleet/fleet-file.js';
import { clusterFactsFromFleet } from '../../../lib/plan/fleet-file-facts.js';
import { planFleet } from '../../../lib/plan/plan-fleet.js';
import { awsBuildsFor, readAwsFleet, type EksReader, type PlanScope } from '../../../lib/operator/read-aws-fleet.js';
import { loadCatalogue } from '../../../sim/catalogue/catalogue.js';
import type { Simulator } from '../../../sim/server.js';
import { startSimulator } from '../../../sim/server.js';


/**
 * The EKS clients of a Region and role, as the CLI's factory builds them. The simulator scopes a request to the
 * account whose 12-digit id is the access key, so a role's client signs as its account (STS cannot run here).
 */
function factoryFor(sim: Simulator): EksReader & { destroy(): void } {
  const clients = new Map<string, EKSClient>();
  const eksFor = ({ region, roleArn }: { region: string; roleArn?: string | undefined }): EKSClient => {
    const key = `${region}|${roleArn ?? ''}`;
    const accessKeyId = roleArn ? roleArn.split(':')[4]! : '111122223333';
    if (!clients.has(key)) clients.set(key, new EKSClient({ endpoint: sim.endpoint, region, credentials: { accessKeyId, secretAccessKey: 'test' } }));
    return clients.get(key)!;
  };
  return Object.assign(eksFor, { destroy: () => clients.forEach((c) => c.destroy()) });
}
const regions = (...r: string[]): PlanScope => ({ selector: { regions: r } });
/** What DescribeCluster adds for every simulated cluster here: no tags, not Auto Mode. */
const AWS_READ = { tags: {}, autoMode: false } as const;

const fleet = parseFleetFile(
  JSON.stringify({
    clusters: [
      { name: 'old', kubernetesVersion: '1.23', addon: { version: 'v1.6.3-eksbuild.2' } },
      { name: 'stuck', kubernetesVersion: '1.31', addon: { version: 'v1.8.0-eksbuild.1', status: 'DEGRADED' } },
      { name: 'self', kubernetesVersion: '1.31', selfManaged: { version: 'v1.11.4' } },
      { name: 'ghost', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' }, faults: [{ effect: 'CLUSTER_DELETED', afterUpdates: 0 }] },
      { name: 'current', kubernetesVersion: '1.23', accountId: '444455556666', addon: { version: 'v1.18.5-eksbuild.1' } },
      { name: 'far', region: 'eu-west-1', kubernetesVersion: '1.29', status: 'UPDATING', addon: { version: 'v1.15.1-eksbuild.1' } },
    ],
  }),
);

describe('readAwsFleet against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fleet, unref: true });
  });
  afterAll(() => sim.close());

  it('reads every cluster of the client Region, skips ghosts and sees a missing add-on as none', async () => {
    // Prepare
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, regions('us-east-1'));

    // Assess
    expect(read.clusters).toEqual([
      { name: 'old', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.23', status: 'ACTIVE', ...AWS_READ, addonVersion: 'v1.6.3-eksbuild.2', addonStatus: 'ACTIVE', configurationValues: null, addonIssues: [] },
      { name: 'stuck', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.31', status: 'ACTIVE', ...AWS_READ, addonVersion: 'v1.8.0-eksbuild.1', addonStatus: 'DEGRADED', configurationValues: null, addonIssues: expect.any(Array) },
      // A cluster without the managed add-on is read through its Kubernetes API (the aws-node DaemonSet).
      { name: 'self', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.31', status: 'ACTIVE', ...AWS_READ, selfManagedVersion: 'v1.11.4', selfManagedSettings: { configuration: {}, serviceAccountRoleArn: null, carried: [], untranslatable: [] } },
      // 'current' lives in account 444455556666: the home account's credentials do not list it.
    ]);
    expect(read.skipped).toEqual([{ name: 'ghost', region: 'us-east-1', reason: 'DescribeCluster found no such cluster' }]);
    expect(read.unreadable).toEqual([]);
    eks.destroy();
  });

  it('reads another Region through a client of that Region', async () => {
    // Prepare
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, regions('eu-west-1'), { concurrency: 1 });

    // Assess
    expect(read.clusters).toEqual([
      { name: 'far', region: 'eu-west-1', accountId: '111122223333', kubernetesVersion: '1.29', status: 'UPDATING', ...AWS_READ, addonVersion: 'v1.15.1-eksbuild.1', addonStatus: 'ACTIVE', configurationValues: null, addonIssues: [] },
    ]);
    eks.destroy();
  });

  it('plans what it read exactly as the fleet file plans, calling DescribeAddonVersions once per Kubernetes version', async () => {
    // Prepare
    const eks = factoryFor(sim);
    const read = await readAwsFleet(eks, regions('us-east-1'));
    const before = sim.count({ operation: 'DescribeAddonVersions' });
    const catalogue = loadCatalogue();
    const fromFile = clusterFactsFromFleet(fleet).filter((c) => c.addonVersion && read.clusters.some((r) => r.name === c.name));

    // Act
    const viaAws = await planFleet(read.clusters, { target: 'default', buildsFor: awsBuildsFor(eks, 'us-east-1') });
    const viaFile = await planFleet(fromFile, { target: 'default', buildsFor: async (k8s) => catalogue.compatibleBuilds(k8s) });

    // Assess
    expect(sim.count({ operation: 'DescribeAddonVersions' }) - before).toBe(2);
    const managed = viaAws.clusters.filter((c) => c.install === 'managed');
    expect(managed.map((c) => [c.name, c.target, c.hops, c.outcome, c.reasonCode])).toEqual(viaFile.clusters.map((c) => [c.name, c.target, c.hops, c.outcome, c.reasonCode]));
    expect(viaAws.clusters.find((c) => c.name === 'old')!.hops).toHaveLength(12);
    expect(viaAws.clusters.find((c) => c.name === 'self')).toMatchObject({ install: 'self-managed', from: 'v1.11.4' });
    eks.destroy();
  });
});

describe('readAwsFleet paging and failures', () => {
  it('follows ListClusters pages past 100 clusters', async () => {
    // Prepare
    const many = parseFleetFile(
      JSON.stringify({ clusters: Array.from({ length: 102 }, (_, i) => ({ name: `c${i}`, kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' } })) }),
    );
    const sim = await startSimulator({ fleet: many, unref: true });
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, regions('us-east-1'), { concurrency: 10 });

    // Assess
    expect(read.clusters.map((c) => c.name)).toEqual(many.clusters.map((c) => c.name));
    expect(sim.count({ operation: 'ListClusters' })).toBe(2);
    eks.destroy();
    await sim.close();
  });

  it('rides out throttling through the SDK retries', async () => {
    // Prepare
    const throttled = parseFleetFile(
      JSON.stringify({
        clusters: [{ name: 'c', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' }, faults: [{ effect: 'THROTTLE', operation: 'DescribeAddon', count: 1 }] }],
      }),
    );
    const sim = await startSimulator({ fleet: throttled, unref: true });
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, regions('us-east-1'));

    // Assess
    expect(read.clusters[0]!.addonVersion).toBe('v1.18.5-eksbuild.1');
    expect(sim.count({ operation: 'DescribeAddon' })).toBe(2);
    eks.destroy();
    await sim.close();
  });

  it('reports a cluster whose DescribeCluster keeps failing as an error row and reads the others', async () => {
    // Prepare
    const failing = parseFleetFile(
      JSON.stringify({
        clusters: [
          { name: 'c', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' }, faults: [{ effect: 'SERVER_ERROR', operation: 'DescribeCluster', count: 3 }] },
          { name: 'd', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' } },
        ],
      }),
    );
    const sim = await startSimulator({ fleet: failing, unref: true });
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, regions('us-east-1'));

    // Assess
    expect(read.unreadable).toEqual([{ name: 'c', region: 'us-east-1', accountId: null, operation: 'DescribeCluster', error: { name: 'ServerException', message: expect.any(String) } }]);
    expect(read.clusters.map((c) => c.name)).toEqual(['d']);
    eks.destroy();
    await sim.close();
  });
});

describe('readAwsFleet of an execution input', () => {
  const input = parseFleetFile(
    JSON.stringify({
      clusters: [
        { name: 'a', region: 'us-east-1', kubernetesVersion: '1.29', tags: { env: 'prod' }, addon: { version: 'v1.18.5-eksbuild.1' } },
        { name: 'b', region: 'eu-west-1', kubernetesVersion: '1.29', tags: { env: 'prod' }, addon: { version: 'v1.18.5-eksbuild.1' } },
        { name: 'dev', region: 'eu-west-1', kubernetesVersion: '1.29', tags: { env: 'dev' }, addon: { version: 'v1.18.5-eksbuild.1' } },
        { name: 'out', region: 'eu-west-1', kubernetesVersion: '1.29', tags: { env: 'prod', 'cni-fleet/skip': 'true' }, addon: { version: 'v1.18.5-eksbuild.1' } },
        { name: 'pay-x', region: 'us-east-1', accountId: '444455556666', kubernetesVersion: '1.29', tags: { env: 'prod' }, addon: { version: 'v1.18.5-eksbuild.1' } },
        { name: 'other', region: 'us-east-1', accountId: '444455556666', kubernetesVersion: '1.29', tags: { env: 'prod' }, addon: { version: 'v1.18.5-eksbuild.1' } },
      ],
    }),
  );
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ fleet: input, unref: true });
  });
  afterAll(() => sim.close());

  it('reads a selector over several Regions: its tags filter; an opted-out cluster is read, for the plan to skip', async () => {
    // Prepare
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, { selector: { regions: ['us-east-1', 'eu-west-1'], tags: { env: 'prod' } } });

    // Assess
    expect(read.clusters.map((c) => `${c.region}/${c.name}`).sort()).toEqual(['eu-west-1/b', 'eu-west-1/out', 'us-east-1/a']);
    expect(read.clusters.find((c) => c.name === 'out')?.tags).toEqual({ env: 'prod', 'cni-fleet/skip': 'true' });
    expect(read.skipped).toEqual([]);
    expect(sim.count({ operation: 'ListClusters' })).toBeGreaterThanOrEqual(2);
    eks.destroy();
  });

  it('reads other accounts through their roles, with a name prefix', async () => {
    // Prepare
    const eks = factoryFor(sim);
    const roleArn = 'arn:aws:iam::444455556666:role/cni-fleet-target';

    // Act
    const read = await readAwsFleet(eks, { selector: { regions: ['us-east-1'], namePrefix: 'pay-', accounts: [{ accountId: '444455556666', roleArn }] } });

    // Assess
    expect(read.clusters.map((c) => [c.accountId, c.name])).toEqual([['444455556666', 'pay-x']]);
    eks.destroy();
  });

  it('reads an explicit clusters list, a missing one skipped', async () => {
    // Prepare
    const eks = factoryFor(sim);

    // Act
    const read = await readAwsFleet(eks, { clusters: [{ name: 'a', region: 'us-east-1' }, { name: 'dev', region: 'eu-west-1' }, { name: 'nope', region: 'eu-west-1' }] });

    // Assess
    expect(read.clusters.map((c) => c.name)).toEqual(['a', 'dev']);
    expect(read.skipped.map((s) => s.name)).toEqual(['nope']);
    eks.destroy();
  });
});
