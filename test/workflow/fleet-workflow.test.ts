import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { rehearse } from '../../rehearsal/rehearsal.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import type { ProgressStore } from '../../lib/store/progress-store.js';

// The real statemachines/workflows.asl.yaml run by aws-local-stepfunctions over the real handlers, against the EKS
// simulator over HTTP and dynalite: the workflow as deployed, on one machine.
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    {
      name: 'happy',
      region: 'us-east-1',
      kubernetesVersion: '1.29',
      tags: { 'cni-fleet/wave': 'canary' },
      addon: {
        version: 'v1.18.5-eksbuild.1',
        configurationValues: '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true"}}',
        serviceAccountRoleArn: 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole',
      },
    },
    { name: 'at-target', region: 'us-east-1', kubernetesVersion: '1.31', addon: { version: 'v1.22.4-eksbuild.3' } },
    { name: 'conflict', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.20.*' }] },
    { name: 'degraded', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'DEGRADED', toVersion: 'v1.21.*' }] },
    { name: 'blocked', region: 'us-east-1', kubernetesVersion: '1.31', addon: { version: 'v1.8.0-eksbuild.1' } },
    { name: 'opted-out', region: 'us-east-1', kubernetesVersion: '1.29', tags: { 'cni-fleet/skip': 'true' }, addon: { version: 'v1.19.0-eksbuild.1' } },
  ],
});

describe('fleet workflow, rehearsed locally', () => {
  let report: RehearsalReport & { store: ProgressStore; close(): Promise<void> };
  const events: TaskEvent[] = [];

  beforeAll(async () => {
    report = await rehearse({ fleet, speed: 1000, options: { target: 'default', failureThreshold: 0, perLaneConcurrency: 4 }, onTask: (e) => events.push(e) });
  });
  afterAll(() => report?.close());

  const cluster = (name: string) => report.clusters.find((c) => c.name === name)!;
  const statesOf = (name: string) =>
    events
      .filter((e) => {
        const input = e.input as { cluster?: { name?: string }; input?: { cluster?: { name?: string } } };
        return (input.cluster?.name ?? input.input?.cluster?.name) === name && !e.error;
      })
      .map((e) => e.stateName);

  it('upgrades one minor per hop to the default, keeping configuration and role', () => {
    // Assess
    const happy = cluster('happy');
    expect(happy.status).toBe('UPGRADED');
    expect(happy.hops.map((h) => h.version)).toEqual(['v1.19.6-eksbuild.7', 'v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8']);
    expect(happy.hops.every((h) => h.status === 'SUCCEEDED' && h.updateId)).toBe(true);
    expect(happy.final).toEqual({
      addonVersion: 'v1.21.1-eksbuild.8',
      status: 'ACTIVE',
      configurationValues: '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true"}}',
      serviceAccountRoleArn: 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole',
    });
  });

  it('runs the states in order: lock, snapshot, plan, then apply → poll (which records the hop done) per hop, verify', () => {
    // Assess
    const states = statesOf('happy').filter((s) => s !== 'PollHop' && s !== 'WaitForHop');
    expect(states).toEqual([
      'ValidateInput',
      'AcquireLock',
      'TakeSnapshot',
      'PlanUpgrade',
      'ApplyHop',
      'ApplyHop',
      'ApplyHop',
      // VerifyUpgrade releases the lock itself: the execution's last state.
      'VerifyUpgrade',
    ]);
  });

  it('records the snapshot before the first change, the plan, and one record per hop', async () => {
    // Act
    const records = await report.store.listRunClusters(report.runId);
    const happy = records.find((r) => r.cluster?.clusterName === 'happy')!;
    // Assess
    expect(happy.snapshot?.snapshot.addonVersion).toBe('v1.18.5-eksbuild.1');
    expect(Date.parse(happy.snapshot!.snapshot.takenAt)).toBeLessThanOrEqual(Date.parse(happy.hops[0]!.startedAt));
    expect(happy.plan?.plan.hops).toHaveLength(3);
    expect(happy.hops.map((h) => h.index)).toEqual([1, 2, 3]);
    expect(happy.cluster?.hopsDone).toBe(3);
  });

  it('plans zero hops for a cluster already at its target', () => {
    expect(cluster('at-target')).toMatchObject({ status: 'UNCHANGED', hops: [] });
  });

  it('ends a failed update FAILED with EKS error recorded and no further hop', () => {
    // Assess
    const c = cluster('conflict');
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('AddonUpdateFailedError');
    expect(c.error?.message).toContain('ConfigurationConflict');
    expect(c.hops.map((h) => h.status)).toEqual(['FAILED']);
  });

  it('ends a DEGRADED add-on FAILED with its health issue', () => {
    const c = cluster('degraded');
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('AddonUnhealthyError');
    expect(c.error?.message).toContain('DEGRADED');
  });

  it('blocks a cluster whose path has a minor not offered for its Kubernetes version, before any change', () => {
    const c = cluster('blocked');
    expect(c.status).toBe('BLOCKED');
    expect(c.error?.name).toBe('PlanBlockedError');
    expect(c.hops).toEqual([]);
    expect(c.final.addonVersion).toBe('v1.8.0-eksbuild.1');
  });

  it('skips a cluster opted out by tag, with the reason', () => {
    expect(cluster('opted-out')).toMatchObject({ status: 'SKIPPED', error: { name: 'ClusterSkippedError' } });
  });

  it('runs the canary wave first', () => {
    // Assess
    const firstApply = events.find((e) => e.stateName === 'ApplyHop');
    expect((firstApply?.input as { cluster: { name: string } }).cluster.name).toBe('happy');
  });

  it('releases every lock', async () => {
    for (const name of ['happy', 'conflict', 'degraded', 'blocked']) {
      const c = fleet.clusters.find((x) => x.name === name)!;
      expect(await report.store.getLock(`${c.accountId}/${c.region}/${c.name}`)).toBeNull();
    }
  });
});

describe('dry run', () => {
  it('records the plan, changes nothing', async () => {
    // Prepare / Act
    const report = await rehearse({ fleet: FleetFile.parse({ clusters: [fleet.clusters[0]] }), speed: 1000, options: { dryRun: true } });
    await report.close();
    // Assess
    expect(report.clusters[0]).toMatchObject({ status: 'PLANNED', hops: [], final: { addonVersion: 'v1.18.5-eksbuild.1' } });
    expect(report.summary.eksMutatingCalls).toBe(0);
  });
});
