import { EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type EksClientFactory } from '../../lib/aws/clients.js';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { clusterSpans as spans, executionCause, startLocalWorkflow, type LocalWorkflow } from '../invariants/local-workflow.js';

// The lanes design of UpgradeFleet in statemachines/workflows.asl.yaml (docs/fleet-workflow.md), run for real: the local
// runner over the real handlers, the EKS simulator over HTTP, dynalite. Time is discrete-event, so concurrency and
// order are the workflow's own.

const HOME = '111122223333';
const OTHER = '222233334444';
const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/cni-fleet-target`;

/** A cluster one hop from the default (1.29: v1.20.5 → v1.21.1), or `hops` hops. */
const cluster = (name: string, region: string, extra: Record<string, unknown> = {}, hops = 1) => ({
  name,
  region,
  kubernetesVersion: '1.29',
  addon: { version: hops === 1 ? 'v1.20.5-eksbuild.1' : hops === 2 ? 'v1.19.0-eksbuild.1' : 'v1.18.5-eksbuild.1' },
  ...extra,
});

/** The most intervals open at one instant (an interval ending at t does not overlap one starting at t). */
function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const points = intervals.flatMap((i) => [
    { t: i.start, d: 1 },
    { t: i.end, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d);
  let open = 0;
  let most = 0;
  for (const p of points) {
    open += p.d;
    most = Math.max(most, open);
  }
  return most;
}

/**
 * EKS clients whose credentials carry the account (a 12-digit access key id: the simulator then serves only that
 * account's clusters), the account being the role's — what assuming a target account's role gives in AWS.
 */
const perAccountClients =
  (refuse: ReadonlySet<string> = new Set()) =>
  (endpoint: string): EksClientFactory => {
    const clients = new Map<string, EKSClient>();
    return ({ region, roleArn }) => {
      const account = roleArn?.split(':')[4] ?? HOME;
      const key = `${region}|${roleArn ?? ''}`;
      let client = clients.get(key);
      if (!client) {
        client = new EKSClient({
          region,
          endpoint,
          // A refused role: STS answers AccessDenied when the role's trust policy does not name us.
          credentials: refuse.has(roleArn ?? '')
            ? () => Promise.reject(Object.assign(new Error(`User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }))
            : { accessKeyId: account, secretAccessKey: 'local' },
        });
        clients.set(key, client);
      }
      return client;
    };
  };

describe('fleet lanes', () => {
  let workflow: LocalWorkflow;
  beforeAll(async () => {
    workflow = await startLocalWorkflow();
  });
  afterAll(() => workflow?.close());

  it('discovers a selector lane by lane: Regions, tags, name prefix and accounts, each record under its own account', async () => {
    // Prepare: two accounts, three Regions, clusters the selector must leave out for each of its filters.
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 30, secondsPerNode: 0 },
      clusters: [
        cluster('pay-1', 'us-east-1', { accountId: HOME, tags: { env: 'prod' } }),
        cluster('pay-2', 'eu-west-1', { accountId: HOME, tags: { env: 'prod' } }),
        cluster('pay-3', 'eu-west-1', { accountId: OTHER, tags: { env: 'prod' } }),
        cluster('pay-skip', 'us-east-1', { accountId: OTHER, tags: { env: 'prod', 'cni-fleet/skip': 'true' } }),
        cluster('pay-dev', 'us-east-1', { accountId: HOME, tags: { env: 'dev' } }),
        cluster('web-1', 'us-east-1', { accountId: HOME, tags: { env: 'prod' } }),
        cluster('pay-west', 'us-west-2', { accountId: HOME, tags: { env: 'prod' } }),
      ],
    });
    const loaded = await workflow.load(fleet, { eksFor: perAccountClients() });
    const selector = { regions: ['us-east-1', 'eu-west-1'], tags: { env: 'prod' }, namePrefix: 'pay-', accounts: [{ accountId: HOME, roleArn: `arn:aws:iam::${HOME}:role/cni-fleet-target` }, { accountId: OTHER, roleArn: OTHER_ROLE }] };

    // Act
    const output = (await workflow.runFleet({ runId: 'selector-lanes', trigger: 'local', selector, options: { failureThreshold: 0 } }, 'selector-lanes')) as { status: string };
    const records = await loaded.store.listRunClusters('selector-lanes');
    await loaded.close();

    // Assess
    expect(output.status).toBe('SUCCEEDED');
    expect(records.map((r) => [r.clusterKey, r.cluster?.status]).sort()).toEqual([
      [`${HOME}/eu-west-1/pay-2`, 'UPGRADED'],
      [`${HOME}/us-east-1/pay-1`, 'UPGRADED'],
      [`${OTHER}/eu-west-1/pay-3`, 'UPGRADED'],
      [`${OTHER}/us-east-1/pay-skip`, 'SKIPPED'],
    ]);
    expect(records.find((r) => r.cluster?.clusterName === 'pay-skip')?.cluster?.error?.message).toContain('opted out');
    // Four lanes (2 accounts × 2 Regions) listed once each; us-west-2 never asked.
    const lists = loaded.sim.calls.filter((c) => c.operation === 'ListClusters');
    expect(lists.map((c) => c.region).sort()).toEqual(['eu-west-1', 'eu-west-1', 'us-east-1', 'us-east-1']);
  });

  it('halts later waves at the failure budget: the run is HALTED, the execution FAILED with a cause that counts', async () => {
    // Prepare
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 30, secondsPerNode: 0 },
      clusters: [
        cluster('canary-ok', 'us-east-1', { tags: { 'cni-fleet/wave': 'canary' } }),
        cluster('canary-bad', 'eu-west-1', { tags: { 'cni-fleet/wave': 'canary' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*' }] }),
        cluster('wave1-a', 'us-east-1', { tags: { 'cni-fleet/wave': '1' } }),
        cluster('wave1-b', 'eu-west-1', { tags: { 'cni-fleet/wave': '1' } }),
        cluster('rest', 'us-east-1'),
      ],
    });
    const loaded = await workflow.load(fleet);

    // Act
    const failure = await workflow
      .runFleet({ runId: 'halted', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options: { failureThreshold: 1 } }, 'halted')
      .then((output) => output as { failed?: string });
    const records = await loaded.store.listRunClusters('halted');
    const run = await loaded.store.getRun('halted');
    const updates = loaded.sim.calls.filter((c) => c.operation === 'UpdateAddon').map((c) => c.cluster);
    await loaded.close();

    // Assess
    const status = Object.fromEntries(records.map((r) => [r.cluster?.clusterName, r.cluster?.status]));
    expect(status).toEqual({ 'canary-ok': 'UPGRADED', 'canary-bad': 'FAILED', 'wave1-a': 'SKIPPED', 'wave1-b': 'SKIPPED', rest: 'SKIPPED' });
    for (const name of ['wave1-a', 'wave1-b', 'rest']) expect(records.find((r) => r.cluster?.clusterName === name)?.cluster?.error?.name).toBe('FailureThresholdReached');
    expect(new Set(updates)).toEqual(new Set(['canary-ok', 'canary-bad']));
    expect(run).toMatchObject({ status: 'HALTED', summary: { total: 5, byStatus: { UPGRADED: 1, FAILED: 1, SKIPPED: 3 } } });
    expect(failure.failed).toBe('1 of 5 clusters FAILED; halted before wave 2 (1): 1 cluster(s) FAILED, failure threshold 1');
  });

  it('runs at most perLaneConcurrency clusters per lane and lanesAtOnce lanes at once, and reaches both', async () => {
    // Prepare: three lanes of six clusters, one wave.
    const regions = ['us-east-1', 'eu-west-1', 'us-west-2'];
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 60, secondsPerNode: 0 },
      clusters: regions.flatMap((region, r) => Array.from({ length: 6 }, (_, i) => cluster(`c${r}-${i}`, region, {}, 1 + (i % 3)))),
    });
    const loaded = await workflow.load(fleet);

    // Act
    await workflow.runFleet(
      { runId: 'caps', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options: { lanesAtOnce: 2, perLaneConcurrency: 2, failureThreshold: 0 } },
      'caps',
    );
    const byCluster = spans(loaded.events);
    await loaded.close();

    // Assess
    expect(byCluster.size).toBe(18);
    const laneOf = (name: string) => regions[Number(name.slice(1, name.indexOf('-')))]!;
    const perLane = regions.map((region) => maxOverlap([...byCluster].filter(([name]) => laneOf(name) === region).map(([, s]) => s)));
    expect(perLane).toEqual([2, 2, 2]);
    const laneSpans = regions.map((region) => {
      const mine = [...byCluster].filter(([name]) => laneOf(name) === region).map(([, s]) => s);
      return { start: Math.min(...mine.map((s) => s.start)), end: Math.max(...mine.map((s) => s.end)) };
    });
    expect(maxOverlap(laneSpans)).toBe(2);
    expect(maxOverlap([...byCluster.values()])).toBe(4);
  });

  it('runs the canary wave first: a short canary listed last ends before any other cluster starts', async () => {
    // Prepare: merged waves would start the canary last (it is listed last and is the shortest upgrade).
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 60, secondsPerNode: 0 },
      clusters: [
        cluster('long-1', 'us-east-1', {}, 3),
        cluster('long-2', 'eu-west-1', {}, 3),
        cluster('mid-1', 'us-east-1', { tags: { 'cni-fleet/wave': '1' } }, 2),
        cluster('canary', 'us-east-1', { tags: { 'cni-fleet/wave': 'canary' } }, 1),
      ],
    });
    const loaded = await workflow.load(fleet);

    // Act
    await workflow.runFleet({ runId: 'canary-first', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options: { failureThreshold: 0 } }, 'canary-first');
    const byCluster = spans(loaded.events);
    await loaded.close();

    // Assess
    const canary = byCluster.get('canary')!;
    const mid = byCluster.get('mid-1')!;
    expect(byCluster.size).toBe(4);
    for (const name of ['long-1', 'long-2', 'mid-1']) expect(byCluster.get(name)!.start, name).toBeGreaterThanOrEqual(canary.end);
    for (const name of ['long-1', 'long-2']) expect(byCluster.get(name)!.start, name).toBeGreaterThanOrEqual(mid.end);
  });

  it('starts the longest lane of a wave first', async () => {
    // Prepare: lane 0 (us-east-1) is one short upgrade, lane 1 (eu-west-1) two three-hop upgrades.
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 60, secondsPerNode: 0 },
      clusters: [cluster('short', 'us-east-1', {}, 1), cluster('long-a', 'eu-west-1', {}, 3), cluster('long-b', 'eu-west-1', {}, 3)],
    });
    const loaded = await workflow.load(fleet);

    // Act
    await workflow.runFleet({ runId: 'lpt-lanes', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options: { lanesAtOnce: 1, failureThreshold: 0 } }, 'lpt-lanes');
    const wave = await loaded.store.getWave('lpt-lanes', 0);
    const byCluster = spans(loaded.events);
    await loaded.close();

    // Assess: one lane at a time, the long lane first.
    expect(wave?.lanes).toEqual([1, 0]);
    expect(byCluster.get('short')!.start).toBeGreaterThanOrEqual(Math.max(byCluster.get('long-a')!.end, byCluster.get('long-b')!.end));
  });

  it('keeps one cluster’s persistent fault and one account’s refused role with them; every other cluster goes on', async () => {
    // Prepare: a cluster EKS keeps throttling past every retry, a lane whose role STS refuses, and bystanders.
    const refused = `arn:aws:iam::${OTHER}:role/not-trusted`;
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 30, secondsPerNode: 0 },
      clusters: [
        cluster('ok-1', 'us-east-1'),
        cluster('throttled', 'us-east-1', { faults: [{ effect: 'THROTTLE', operation: 'DescribeCluster', count: 200 }] }),
        cluster('ok-2', 'eu-west-1'),
        cluster('locked-out', 'eu-west-1', { accountId: OTHER }),
      ],
    });
    const loaded = await workflow.load(fleet, { eksFor: perAccountClients(new Set([refused])) });
    const input = {
      runId: 'faults-stay',
      trigger: 'local',
      clusters: [
        { name: 'ok-1', region: 'us-east-1' },
        { name: 'throttled', region: 'us-east-1' },
        { name: 'ok-2', region: 'eu-west-1' },
        { name: 'locked-out', region: 'eu-west-1', accountId: OTHER, roleArn: refused },
      ],
      options: { failureThreshold: 0 },
    };

    // Act
    const output = (await workflow.runFleet(input, 'faults-stay')) as { failed?: string };
    const records = await loaded.store.listRunClusters('faults-stay');
    const run = await loaded.store.getRun('faults-stay');
    await loaded.close();

    // Assess
    const byName = new Map(records.map((r) => [r.cluster?.clusterName, r]));
    expect(byName.get('ok-1')?.cluster?.status).toBe('UPGRADED');
    expect(byName.get('ok-2')?.cluster?.status).toBe('UPGRADED');
    expect(byName.get('throttled')?.cluster).toMatchObject({ status: 'FAILED', step: 'DiscoverLane', accountId: HOME, error: { name: 'EksThrottledError' } });
    expect(byName.get('locked-out')?.cluster).toMatchObject({ status: 'FAILED', step: 'DiscoverLane', accountId: OTHER, error: { name: 'AccessDenied' } });
    expect(byName.get('locked-out')?.clusterKey).toBe(`${OTHER}/eu-west-1/locked-out`);
    expect(run).toMatchObject({ status: 'FAILED', summary: { total: 4, byStatus: { UPGRADED: 2, FAILED: 2 } } });
    expect(output.failed).toBe('2 of 4 clusters FAILED (2 while discovering)');
  });

  it('records a selector lane whose role cannot be assumed, with the error, and goes on with the other lanes', async () => {
    // Prepare
    const refused = `arn:aws:iam::${OTHER}:role/not-trusted`;
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 30, secondsPerNode: 0 },
      clusters: [cluster('home-1', 'us-east-1', { accountId: HOME }), cluster('other-1', 'us-east-1', { accountId: OTHER })],
    });
    const loaded = await workflow.load(fleet, { eksFor: perAccountClients(new Set([refused])) });
    const selector = { regions: ['us-east-1'], accounts: [{ accountId: HOME, roleArn: `arn:aws:iam::${HOME}:role/cni-fleet-target` }, { accountId: OTHER, roleArn: refused }] };

    // Act
    const output = (await workflow.runFleet({ runId: 'lane-refused', trigger: 'local', selector }, 'lane-refused')) as { failed?: string };
    const records = await loaded.store.listRunClusters('lane-refused');
    const lane = await loaded.store.getLane('lane-refused', 1);
    const run = await loaded.store.getRun('lane-refused');
    await loaded.close();

    // Assess
    expect(records.map((r) => [r.clusterKey, r.cluster?.status])).toEqual([[`${HOME}/us-east-1/home-1`, 'UPGRADED']]);
    expect(lane?.lane).toMatchObject({ accountId: OTHER, region: 'us-east-1' });
    expect(run).toMatchObject({ status: 'FAILED', summary: { lanesFailed: 1, byStatus: { UPGRADED: 1 } } });
    expect(output.failed).toBe('1 lane(s) could not be discovered');
  });

  it('refuses a reused run id before any lane is written', async () => {
    // Prepare
    const fleet = FleetFile.parse({ settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [cluster('once', 'us-east-1')] });
    const loaded = await workflow.load(fleet);
    const input = { runId: 'once', trigger: 'local', clusters: [{ name: 'once', region: 'us-east-1' }] };
    await workflow.runFleet(input, 'once');
    const writes = loaded.sim.count({ mutating: true });

    // Act
    const refusal = await workflow.runFleet(input, 'once-again').then(
      () => undefined,
      (error: unknown) => executionCause(error),
    );
    await loaded.close();

    // Assess
    expect(refusal?.name).toBe('StepAlreadyRecordedError');
    expect(loaded.sim.count({ mutating: true })).toBe(writes);
  });
});

describe.skipIf(!process.env['CI'] && !(await import('../helpers/start-moto.js')).motoAvailable)('fleet lanes through an assumed role (moto_server STS)', () => {
  it('lists, describes and upgrades a target account’s clusters with credentials STS issued for the role', async () => {
    // Prepare
    const { startMoto } = await import('../helpers/start-moto.js');
    const moto = await startMoto();
    const workflow = await startLocalWorkflow();
    const issued: { accessKeyId: string; sessionToken?: string | undefined }[] = [];
    try {
      const fleet = FleetFile.parse({ settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [cluster('target-1', 'us-east-1', { accountId: OTHER }), cluster('target-2', 'us-east-1', { accountId: OTHER })] });
      const loaded = await workflow.load(fleet, {
        eksFor: (endpoint) => {
          const { eksFor } = createAwsClients({ region: 'us-east-1', eksEndpoint: endpoint, stsEndpoint: moto.endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
          return (target) => {
            const client = eksFor(target);
            void client.config.credentials().then((c) => issued.push(c));
            return client;
          };
        },
      });

      // Act
      const output = (await workflow.runFleet({ runId: 'assumed', trigger: 'local', selector: { regions: ['us-east-1'], accounts: [{ accountId: OTHER, roleArn: OTHER_ROLE }] } }, 'assumed')) as { status?: string };
      const records = await loaded.store.listRunClusters('assumed');
      await loaded.close();

      // Assess
      expect(output.status).toBe('SUCCEEDED');
      expect(records.map((r) => [r.clusterKey, r.cluster?.status])).toEqual([
        [`${OTHER}/us-east-1/target-1`, 'UPGRADED'],
        [`${OTHER}/us-east-1/target-2`, 'UPGRADED'],
      ]);
      // Temporary credentials from STS (a session token), not the static ones the clients were given.
      expect(issued.length).toBeGreaterThan(0);
      expect(issued.every((c) => c.accessKeyId !== 'test' && Boolean(c.sessionToken))).toBe(true);
    } finally {
      await workflow.close();
      await moto.close();
    }
  });
});
