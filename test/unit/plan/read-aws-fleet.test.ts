import { EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../lib/fleet/fleet-file.js';
import { clusterFactsFromFleet } from '../../../lib/plan/fleet-file-facts.js';
import { planFleet } from '../../../lib/plan/plan-fleet.js';
import { awsBuildsFor, readAwsFleet } from '../../../lib/plan/read-aws-fleet.js';
import { loadCatalogue } from '../../../sim/catalogue/catalogue.js';
import type { Simulator } from '../../../sim/server.js';
import { startSimulator } from '../../../sim/server.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const clientFor = (sim: Simulator, region = 'us-east-1') => new EKSClient({ endpoint: sim.endpoint, region, credentials });
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
    const eks = clientFor(sim);

    // Act
    const read = await readAwsFleet(eks);

    // Assess
    expect(read.region).toBe('us-east-1');
    expect(read.clusters).toEqual([
      { name: 'old', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.23', status: 'ACTIVE', ...AWS_READ, addonVersion: 'v1.6.3-eksbuild.2', addonStatus: 'ACTIVE', configurationValues: null, addonIssues: [] },
      { name: 'stuck', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.31', status: 'ACTIVE', ...AWS_READ, addonVersion: 'v1.8.0-eksbuild.1', addonStatus: 'DEGRADED', configurationValues: null, addonIssues: expect.any(Array) },
      // issue #6: a cluster without the managed add-on is read through its Kubernetes API (the aws-node DaemonSet).
      { name: 'self', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.31', status: 'ACTIVE', ...AWS_READ, selfManagedVersion: 'v1.11.4', selfManagedSettings: { configuration: {}, serviceAccountRoleArn: null, carried: [], untranslatable: [] } },
      { name: 'current', region: 'us-east-1', accountId: '444455556666', kubernetesVersion: '1.23', status: 'ACTIVE', ...AWS_READ, addonVersion: 'v1.18.5-eksbuild.1', addonStatus: 'ACTIVE', configurationValues: null, addonIssues: [] },
    ]);
    expect(read.skipped).toEqual([{ name: 'ghost', region: 'us-east-1', reason: expect.stringContaining('ResourceNotFoundException') }]);
    eks.destroy();
  });

  it('reads another Region through a client of that Region', async () => {
    // Prepare
    const eks = clientFor(sim, 'eu-west-1');

    // Act
    const read = await readAwsFleet(eks, { concurrency: 1 });

    // Assess
    expect(read.clusters).toEqual([
      { name: 'far', region: 'eu-west-1', accountId: '111122223333', kubernetesVersion: '1.29', status: 'UPDATING', ...AWS_READ, addonVersion: 'v1.15.1-eksbuild.1', addonStatus: 'ACTIVE', configurationValues: null, addonIssues: [] },
    ]);
    eks.destroy();
  });

  it('plans what it read exactly as the fleet file plans, calling DescribeAddonVersions once per Kubernetes version', async () => {
    // Prepare
    const eks = clientFor(sim);
    const read = await readAwsFleet(eks);
    const before = sim.count({ operation: 'DescribeAddonVersions' });
    const catalogue = loadCatalogue();
    const fromFile = clusterFactsFromFleet(fleet).filter((c) => c.addonVersion && read.clusters.some((r) => r.name === c.name));

    // Act
    const viaAws = await planFleet(read.clusters, { target: 'default', buildsFor: awsBuildsFor(eks) });
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
    const eks = clientFor(sim);

    // Act
    const read = await readAwsFleet(eks, { concurrency: 10 });

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
    const eks = clientFor(sim);

    // Act
    const read = await readAwsFleet(eks);

    // Assess
    expect(read.clusters[0]!.addonVersion).toBe('v1.18.5-eksbuild.1');
    expect(sim.count({ operation: 'DescribeAddon' })).toBe(2);
    eks.destroy();
    await sim.close();
  });

  it('fails, not guesses, when DescribeCluster keeps failing', async () => {
    // Prepare
    const failing = parseFleetFile(
      JSON.stringify({
        clusters: [{ name: 'c', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' }, faults: [{ effect: 'SERVER_ERROR', operation: 'DescribeCluster', count: 3 }] }],
      }),
    );
    const sim = await startSimulator({ fleet: failing, unref: true });
    const eks = clientFor(sim);

    // Act
    const read = readAwsFleet(eks);

    // Assess
    await expect(read).rejects.toMatchObject({ name: 'ServerException' });
    eks.destroy();
    await sim.close();
  });
});
