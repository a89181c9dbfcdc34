import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { KUBERNETES_ACCESS_FAULTS, POD_FAULTS, type FaultEffect, type FleetCluster } from '../../lib/fleet/fleet-file.js';
import { configurationOf, type CarriedSetting } from '../../lib/migration/translate-settings.js';
import { UpgradeOptions } from '../../lib/schemas/upgrade-options.js';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { compareVersions, minorIndex } from '../../lib/versions/compare-versions.js';
import type { SimCall } from '../../sim/server.js';
import { startLocalWorkflow, type LocalWorkflow } from './local-workflow.js';
import { catalogue, runArbitrary } from './random-fleet.js';

// The SDK's own retry backoff runs on the real clock (up to seconds per throttled call), not the simulator's
// virtual one, and would dominate a run. With one attempt per call every THROTTLE/SERVER_ERROR reaches the
// workflow's own Retry (on the virtual clock), which is the behaviour under test; the fault matrix covers the
// SDK's retries.
process.env['AWS_MAX_ATTEMPTS'] = '1';

// Random fleets through the real workflow (statemachines/workflows.asl.yaml by the local runner over the real handlers,
// simulator over HTTP, dynalite). 200 fleets in CI, fewer locally.
const NUM_RUNS = process.env['CI'] ? 200 : 60;

const TERMINAL_OK = new Set(['UPGRADED', 'UNCHANGED']);
const TERMINAL_REFUSED = new Set(['FAILED', 'BLOCKED', 'SKIPPED']);

/** Where the run should leave a cluster that ends UPGRADED/UNCHANGED, from the simulator's catalogue alone. */
function expectedVersion(cluster: FleetCluster, options: UpgradeOptions): string | null {
  const from = cluster.addon?.version ?? cluster.selfManaged?.version ?? '';
  const offered = catalogue.compatibleBuilds(cluster.kubernetesVersion);
  if (options.target === 'default' || options.target === 'latest') {
    const symbolic = options.target === 'default' ? offered.find((b) => b.isDefault)?.version : offered[0]?.version;
    // A symbolic target never downgrades (docs/workflow.md#the-planner); a self-managed install it would downgrade
    // stays self-managed, with no add-on (lib/versions/plan-path.ts).
    if (symbolic === undefined) return null;
    return compareVersions(symbolic, from) < 0 ? (cluster.selfManaged ? null : from) : symbolic;
  }
  if (!offered.some((b) => b.version === options.target)) return null;
  return compareVersions(options.target, from) < 0 && !options.allowDowngrade ? null : options.target;
}

const callsOf = (calls: readonly SimCall[], c: FleetCluster) => calls.filter((call) => call.cluster === c.name && call.region === c.region);

/**
 * configurationValues are JSON or YAML (docs/vpc-cni-settings.md#configurationvalues): compare what they mean; none and
 * "{}" mean the same.
 */
const meaning = (text: string | null | undefined): unknown => (text === null || text === undefined || text.trim() === '' ? {} : parseYaml(text));

/**
 * What a migrated cluster's add-on must carry: the settings TakeSnapshot translated from the DaemonSet (the
 * snapshot's `selfManaged.carried`, as lib/steps/verify-upgrade.ts expects via the plan's migration), and the
 * ServiceAccount's IRSA role.
 */
function migratedSettings(cluster: FleetCluster, record: RunClusterRecords): { configuration: unknown; role: string | null } {
  const carried = (record.snapshot?.snapshot.selfManaged as { carried?: CarriedSetting[] } | undefined)?.carried ?? [];
  // Every env the random DaemonSet sets differs from the manifest's default, so each one is carried over.
  expect(carried.map((c) => c.key).sort(), `${cluster.name} carried settings`).toEqual(Object.keys(cluster.selfManaged?.env ?? {}).map((k) => `env.${k}`).sort());
  return { configuration: configurationOf(carried), role: cluster.selfManaged?.serviceAccountRoleArn ?? null };
}

/** Every property, checked for one finished run; throws (via expect) on the first violation. */
function checkRun(fleet: FleetFile, options: UpgradeOptions, calls: readonly SimCall[], records: RunClusterRecords[], final: (c: FleetCluster) => ReturnType<LoadedSim['cluster']>): void {
  // No hop moves more than one minor: every create/update asks for a version within one minor of the add-on's.
  for (const call of calls.filter((c) => c.operation === 'UpdateAddon')) {
    expect(call.requestedVersion, `UpdateAddon #${call.seq} names a version`).toBeDefined();
    expect(call.addonVersionBefore, `UpdateAddon #${call.seq} on an installed add-on`).toBeDefined();
    const distance = Math.abs(minorIndex(call.requestedVersion!) - minorIndex(call.addonVersionBefore!));
    expect(distance, `UpdateAddon #${call.seq} ${call.addonVersionBefore} → ${call.requestedVersion}`).toBeLessThanOrEqual(1);
  }
  // A create adopts only a self-managed install, at its own minor line (each random one is offered: random-fleet.ts).
  for (const call of calls.filter((c) => c.operation === 'CreateAddon')) {
    const cluster = fleet.clusters.find((c) => c.name === call.cluster && c.region === call.region);
    expect(cluster?.selfManaged, `CreateAddon #${call.seq} only for a self-managed install`).toBeDefined();
    expect(minorIndex(call.requestedVersion!), `CreateAddon #${call.seq} at the installed minor`).toBe(minorIndex(cluster!.selfManaged!.version));
  }
  // No mutating call while the add-on is not ACTIVE (absent, for a create); nothing is ever deleted.
  for (const call of calls.filter((c) => c.mutating)) {
    if (call.operation === 'CreateAddon') expect(call.addonStatusBefore, `CreateAddon #${call.seq}`).toBeUndefined();
    else expect([call.operation, call.addonStatusBefore], `mutating call #${call.seq} on ${call.cluster}`).toEqual(['UpdateAddon', 'ACTIVE']);
  }

  const regionWideFaults = fleet.clusters.some((c) => c.faults.some((f) => f.operation !== undefined));
  for (const cluster of fleet.clusters) {
    const record = records.find((r) => r.cluster?.clusterName === cluster.name && r.cluster.region === cluster.region);
    const label = `${cluster.name} (${cluster.region})`;
    expect(record?.cluster, `${label} has a cluster record`).toBeDefined();
    const item = record!.cluster!;
    const now = final(cluster);

    // Every cluster ends at its target, ACTIVE, healthy, settings as before — or refused with its reason recorded.
    if (TERMINAL_OK.has(item.status) && cluster.selfManaged) {
      const expected = expectedVersion(cluster, options);
      const { configuration, role } = migratedSettings(cluster, record!);
      expect(record!.snapshot?.snapshot.install, `${label} snapshot install`).toBe('self-managed');
      expect(record!.snapshot?.snapshot.serviceAccountRoleArn ?? null, `${label} snapshot role`).toBe(role);
      if (expected === null) {
        // Left self-managed (a symbolic target older than it): UNCHANGED, nothing created.
        expect([item.status, now?.addon], `${label} left self-managed`).toEqual(['UNCHANGED', undefined]);
      } else {
        expect(item.status, `${label} migrated`).toBe('UPGRADED');
        expect(now?.addon?.addonVersion, `${label} ${item.status} at its target`).toBe(expected);
        expect(now?.addon?.status, `${label} ACTIVE`).toBe('ACTIVE');
        expect(now?.addon?.health.issues, `${label} healthy`).toEqual([]);
        expect(meaning(now?.addon?.configurationValues), `${label} migrated configuration`).toEqual(configuration);
        expect(now?.addon?.serviceAccountRoleArn ?? null, `${label} migrated role`).toBe(role);
        expect(record!.hops.find((h) => h.index === 1)?.kind, `${label} first hop creates the add-on`).toBe('create');
      }
    } else if (TERMINAL_OK.has(item.status)) {
      expect(now?.addon?.addonVersion, `${label} ${item.status} at its target`).toBe(expectedVersion(cluster, options));
      expect(now?.addon?.status, `${label} ACTIVE`).toBe('ACTIVE');
      expect(now?.addon?.health.issues, `${label} healthy`).toEqual([]);
      expect(now?.addon?.configurationValues ?? null, `${label} configuration`).toBe(cluster.addon?.configurationValues ?? null);
      expect(now?.addon?.serviceAccountRoleArn ?? null, `${label} role`).toBe(cluster.addon?.serviceAccountRoleArn ?? null);
      expect(now?.addon?.podIdentityAssociations.map((p) => [p.serviceAccount, p.roleArn]), `${label} pod identity`).toEqual(
        (cluster.addon?.podIdentityAssociations ?? []).map((p) => [p.serviceAccount, p.roleArn]),
      );
      expect(record!.snapshot?.snapshot.configurationValues ?? null, `${label} snapshot configuration`).toBe(cluster.addon?.configurationValues ?? null);
      expect(record!.snapshot?.snapshot.serviceAccountRoleArn ?? null, `${label} snapshot role`).toBe(cluster.addon?.serviceAccountRoleArn ?? null);
    } else {
      expect(TERMINAL_REFUSED.has(item.status), `${label} ends in a final status, not ${item.status}`).toBe(true);
      expect(item.error?.name, `${label} ${item.status}: reason recorded`).toMatch(/\w/);
      expect(item.error?.message, `${label} ${item.status}: reason recorded`).toMatch(/\w/);
    }
    // Nothing fails without a cause: a cluster with no fault of its own (and no region-wide fault) never FAILS.
    if (cluster.faults.length === 0 && !regionWideFaults) expect(item.status === 'FAILED' ? item.error : null, `${label} FAILED without a fault`).toBeNull();
    // A node joining during a hop is not a failure: the rollout gate waits for its pod.
    if (cluster.faults.length > 0 && cluster.faults.every((f) => f.effect === 'NODE_JOIN') && !regionWideFaults)
      expect(item.status === 'FAILED' ? item.error : null, `${label} FAILED for a node that joined`).toBeNull();
    // aws-node is failed only for what is wrong with aws-node's pods.
    if (item.error?.name === 'AwsNodeRolloutError') expect(cluster.faults.some((f) => POD_FAULTS.has(f.effect)), `${label} AwsNodeRolloutError without a pod fault`).toBe(true);

    // Exactly one hop record per attempted hop: per version EKS accepted an update (or the create) to, one record,
    // and no other.
    const accepted = [
      ...new Set(callsOf(calls, cluster).filter((c) => (c.operation === 'UpdateAddon' || c.operation === 'CreateAddon') && c.status === 200).map((c) => c.requestedVersion)),
    ];
    expect(record!.hops.map((h) => h.version).sort(), `${label} hop records`).toEqual(accepted.sort());
    expect(new Set(record!.hops.map((h) => h.index)).size, `${label} hop indexes unique`).toBe(record!.hops.length);
  }
}

type LoadedSim = Awaited<ReturnType<LocalWorkflow['load']>>['sim'];

describe('invariants over random fleets with random faults', () => {
  let workflow: LocalWorkflow;
  beforeAll(async () => {
    workflow = await startLocalWorkflow();
  });
  afterAll(() => workflow?.close());

  it('the simulator logs the version before and the version asked for on every update', async () => {
    // Prepare
    const fleet = FleetFile.parse({ settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [{ name: 'c0', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' } }] });
    const loaded = await workflow.load(fleet);
    // Act
    await workflow.runFleet({ runId: 'call-log', clusters: [{ name: 'c0', region: 'us-east-1' }] }, 'call-log');
    await loaded.close();
    // Assess
    expect(loaded.sim.calls.filter((c) => c.operation === 'UpdateAddon')).toMatchObject([
      { addonVersionBefore: 'v1.20.5-eksbuild.1', requestedVersion: 'v1.21.1-eksbuild.8', addonStatusBefore: 'ACTIVE', status: 200 },
    ]);
  });

  // Found by this property: discovery (then SelectClusters) used to re-describe the whole fleet on every retry, so the step's 5
  // retries were shared by all clusters and 3 clusters throttled 3 times each ended the fleet execution before any
  // cluster was recorded. Retries now re-read only what failed.
  it('every cluster is recorded even when EKS throttles DescribeCluster more often than discovery retries', async () => {
    // Prepare
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 30, secondsPerNode: 0 },
      clusters: ['c0', 'c1', 'c2'].map((name) => ({ name, kubernetesVersion: '1.29', addon: { version: 'v1.21.1-eksbuild.8' }, faults: [{ effect: 'THROTTLE', count: 3 }] })),
    });
    const loaded = await workflow.load(fleet);
    // Act
    await workflow.runFleet({ runId: 'select-throttled', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })) }, 'select-throttled').catch(() => undefined);
    const records = await loaded.store.listRunClusters('select-throttled');
    await loaded.close();
    // Assess
    expect(records.map((r) => r.cluster?.clusterName).sort()).toEqual(['c0', 'c1', 'c2']);
  });

  it(
    `hold for ${NUM_RUNS} random fleets`,
    async () => {
      let runs = 0;
      // What the runs exercised: the properties must not hold only because nothing happened.
      const outcomes = new Map<string, number>();
      const effects = new Set<string>();
      let updates = 0;
      let creates = 0;
      let migrated = 0;
      await fc.assert(
        fc.asyncProperty(runArbitrary, async ({ fleet: fleetInput, options: optionsInput }) => {
          // Prepare
          runs += 1;
          const fleet = FleetFile.parse(fleetInput);
          const options = UpgradeOptions.parse(optionsInput);
          const loaded = await workflow.load(fleet);
          const runId = `inv-${runs}`;
          try {
            // Act
            await workflow.runFleet({ runId, trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options }, runId);
            const records = await loaded.store.listRunClusters(runId);
            // Assess
            checkRun(fleet, options, loaded.sim.calls, records, (c) => loaded.sim.cluster(c.name, c.region));
            for (const r of records) outcomes.set(r.cluster?.status ?? '', (outcomes.get(r.cluster?.status ?? '') ?? 0) + 1);
            for (const c of fleet.clusters) for (const f of c.faults) effects.add(f.effect);
            updates += loaded.sim.count({ operation: 'UpdateAddon' });
            creates += loaded.sim.calls.filter((c) => c.operation === 'CreateAddon' && c.status === 200).length;
            migrated += records.filter((r) => r.cluster?.status === 'UPGRADED' && r.snapshot?.snapshot.install === 'self-managed').length;
          } finally {
            await loaded.close();
          }
        }),
        { numRuns: NUM_RUNS },
      );
      expect(runs).toBeGreaterThanOrEqual(NUM_RUNS);
      expect(updates).toBeGreaterThan(NUM_RUNS);
      expect(creates, 'self-managed installs adopted with CreateAddon').toBeGreaterThan(0);
      expect(migrated, 'self-managed installs migrated to their target').toBeGreaterThan(0);
      for (const status of ['UPGRADED', 'FAILED', 'BLOCKED', 'SKIPPED']) expect(outcomes.get(status), `clusters ${status}`).toBeGreaterThan(0);
      expect([...effects].sort()).toEqual(expect.arrayContaining(['CLUSTER_DELETED', 'CLUSTER_UPDATING', 'DEGRADED', 'SERVER_ERROR', 'SLOW', 'STUCK', 'THROTTLE', 'UPDATE_FAILED']));
      // The Kubernetes side ran too: pod faults and an API that refused or did not answer.
      expect([...effects].filter((e) => POD_FAULTS.has(e as FaultEffect)).length, 'pod faults').toBeGreaterThan(0);
      expect([...effects].filter((e) => KUBERNETES_ACCESS_FAULTS.has(e as FaultEffect)).length, 'Kubernetes API faults').toBeGreaterThan(0);
    },
    600_000,
  );
});
