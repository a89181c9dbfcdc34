import { EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../../lib/fleet/fleet-file.js';
import { configurationSchema, newCatalogueCache, offeredBuilds } from '../../../lib/addon/eks-catalogue.js';
import { parseOrThrow } from '../../../lib/validation/parse-or-throw.js';
import { startSimulator } from '../../../sim/server.js';
import { TEST_CREDENTIALS } from '../../helpers/start-simulator.js';

// Concurrent catalogue misses in one container (many clusters planned at once) share one read: the count of
// DescribeAddonVersions and DescribeAddonConfiguration calls does not depend on how the requests interleave.
describe('catalogue reads are single-flight', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  let eks: EKSClient;
  beforeAll(async () => {
    sim = await startSimulator({ fleet: parseOrThrow(FleetFile, { clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } }] }, 'fleet'), unref: true });
    eks = new EKSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  });
  afterAll(async () => {
    eks?.destroy();
    await sim?.close();
  });
  const calls = (operation: string) => sim.calls.filter((c) => c.operation === operation).length;

  it('ten concurrent misses for one Kubernetes version make one DescribeAddonVersions; another version makes its own', async () => {
    const cache = newCatalogueCache();
    const before = calls('DescribeAddonVersions');
    const answers = await Promise.all([...Array.from({ length: 10 }, () => offeredBuilds(eks, cache, '1.29', 0, 'vpc-cni')), offeredBuilds(eks, cache, '1.28', 0, 'vpc-cni')]);
    expect(calls('DescribeAddonVersions') - before).toBe(2);
    expect(new Set(answers.slice(0, 10))).toHaveLength(1);
    expect(answers[0]!.length).toBeGreaterThan(0);
    // Cached afterwards: no read at all.
    await offeredBuilds(eks, cache, '1.29', 1000, 'vpc-cni');
    expect(calls('DescribeAddonVersions') - before).toBe(2);
  });

  it('concurrent schema misses for one build make one DescribeAddonConfiguration', async () => {
    const cache = newCatalogueCache();
    const before = calls('DescribeAddonConfiguration');
    const schemas = await Promise.all(Array.from({ length: 5 }, () => configurationSchema(eks, cache, 'v1.18.1-eksbuild.1', 'vpc-cni')));
    expect(calls('DescribeAddonConfiguration') - before).toBe(1);
    expect(JSON.parse(schemas[0]!)).toBeTypeOf('object');
  });
});
