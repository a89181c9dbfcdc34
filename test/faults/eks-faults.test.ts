import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { rehearse } from '../../rehearsal/rehearsal.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import type { ProgressStore, RunClusterRecords } from '../../lib/store/progress-store.js';
import { matrixRow } from './fault-matrix.js';
import { keyOf, statesOf } from './fault-rig.js';

// EKS-side faults of the fault matrix (test/faults/fault-matrix.ts), injected by the simulator (fleet-file faults) into
// one fleet run of the real definitions: each cluster carries one fault, a healthy bystander proves the rest of the
// fleet goes on.
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';
const HOP_TIMEOUT_SECONDS = 300;
const CONFLICT_MESSAGE = 'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts: DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env';

const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    { name: 'bystander', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1', configurationValues: CONFIG, serviceAccountRoleArn: ROLE } },
    {
      name: 'conflict',
      kubernetesVersion: '1.29',
      addon: { version: 'v1.19.0-eksbuild.1', configurationValues: CONFIG, serviceAccountRoleArn: ROLE },
      faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.20.*', errorCode: 'ConfigurationConflict', errorMessage: CONFLICT_MESSAGE }],
    },
    { name: 'degraded', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' }, faults: [{ effect: 'DEGRADED', toVersion: 'v1.20.*' }] },
    { name: 'broken', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1', status: 'UPDATE_FAILED' } },
    { name: 'stuck', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'STUCK' }] },
    { name: 'cp-stuck', kubernetesVersion: '1.29', status: 'UPDATING', addon: { version: 'v1.20.5-eksbuild.1' } },
    { name: 'deleted', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' }, faults: [{ effect: 'CLUSTER_DELETED', afterUpdates: 1 }] },
    { name: 'ghost', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' }, faults: [{ effect: 'CLUSTER_DELETED', afterUpdates: 0 }] },
  ],
});

describe('fault matrix: EKS faults in one fleet run', () => {
  let report: RehearsalReport & { store: ProgressStore; close(): Promise<void> };
  let records: RunClusterRecords[];
  const events: TaskEvent[] = [];

  beforeAll(async () => {
    report = await rehearse({
      fleet,
      speed: 1000,
      options: { failureThreshold: 0, perLaneConcurrency: 12, hopTimeoutSeconds: HOP_TIMEOUT_SECONDS, pollIntervalSeconds: 15, expectedHopSeconds: 30 },
      onTask: (e) => events.push(e),
    });
    records = await report.store.listRunClusters(report.runId);
  });
  afterAll(() => report?.close());

  const reported = (name: string) => report.clusters.find((c) => c.name === name)!;
  const stored = (name: string) => records.find((r) => r.cluster?.clusterName === name)!;
  const lockOf = (name: string) => report.store.getLock(keyOf(name));
  /** ApplyHop tasks that completed for a cluster (each one UpdateAddon call). */
  const mutatingStates = (name: string) => statesOf(events, name).filter((s) => s === 'ApplyHop').length;

  it('UPDATE_FAILED (ConfigurationConflict): FAILED with EKS code and message, no further hop, lock released', async (context) => {
    // Prepare
    const row = matrixRow(context, 'Update Failed: ConfigurationConflict on hop 1 of 2', 'FAILED, EKS code + message recorded on cluster and hop; no hop 2; lock released');
    // Act
    const c = reported('conflict');
    const hops = stored('conflict').hops;
    const lock = await lockOf('conflict');
    row.observe(`${c.status} ${c.error?.name}; hops ${hops.map((h) => `${h.version}:${h.outcome}(${h.error?.code ?? '-'})`).join(', ')}; lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('AddonUpdateFailedError');
    expect(c.error?.message).toContain('ConfigurationConflict');
    expect(c.error?.message).toContain(CONFLICT_MESSAGE);
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ version: 'v1.20.5-eksbuild.1', outcome: 'FAILED', error: { name: 'AddonUpdateFailedError', code: 'ConfigurationConflict' } });
    expect(hops[0]!.error?.message).toContain(CONFLICT_MESSAGE);
    // The poll that found the update Failed counts (PollHop records it before RecordFailure runs).
    expect(hops[0]!.polls).toBe(statesOf(events, 'conflict').filter((s) => s === 'PollHop').length + 1);
    expect(mutatingStates('conflict')).toBe(1);
    expect(statesOf(events, 'conflict').filter((s) => s !== 'PollHop')).toEqual([
      'ValidateInput',
      'AcquireLock',
      'TakeSnapshot',
      'PlanUpgrade',
      'ApplyHop',
      'RecordFailure',
      'ReleaseLockAfterFailure',
    ]);
    expect(statesOf(events, 'conflict', { failed: true })).toEqual(['PollHop']);
    expect(c.final).toMatchObject({ addonVersion: 'v1.19.0-eksbuild.1', status: 'UPDATE_FAILED' });
    expect(lock).toBeNull();
  });

  it('DEGRADED after a hop: FAILED with the health issues recorded on the hop', async (context) => {
    // Prepare
    const row = matrixRow(context, 'Add-on DEGRADED after hop 1 of 2', 'FAILED (AddonUnhealthyError), health issues on the hop record; no hop 2; lock released');
    // Act
    const c = reported('degraded');
    const hops = stored('degraded').hops;
    const lock = await lockOf('degraded');
    row.observe(`${c.status} ${c.error?.name}; hop ${hops[0]?.outcome} issues ${hops[0]?.healthIssues.map((i) => i.code).join(',') || 'none'}; ${hops.length} hop(s); lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('AddonUnhealthyError');
    expect(c.error?.message).toContain('InsufficientNumberOfReplicas');
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ outcome: 'FAILED', error: { name: 'AddonUnhealthyError' } });
    expect(hops[0]!.healthIssues).toEqual([expect.objectContaining({ code: 'InsufficientNumberOfReplicas' })]);
    expect(lock).toBeNull();
  });

  it('add-on already UPDATE_FAILED at the start: refused before any change, its issues recorded', async (context) => {
    // Prepare
    const row = matrixRow(context, 'Add-on already UPDATE_FAILED when the run starts', 'FAILED before any change (no update on top of a broken add-on), issue named');
    // Act
    const c = reported('broken');
    row.observe(`${c.status} ${c.error?.name}: ${c.error?.message.slice(0, 60)}…; ${stored('broken').hops.length} hops`);
    // Assess
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('AddonUnhealthyError');
    expect(c.error?.message).toContain('UPDATE_FAILED');
    expect(c.error?.message).toContain('ConfigurationConflict');
    expect(stored('broken').hops).toEqual([]);
    expect(mutatingStates('broken')).toBe(0);
  });

  it('STUCK InProgress: the hop times out at hopTimeoutSeconds, every poll counted, no update on top', async (context) => {
    // Prepare
    const row = matrixRow(context, `Update stuck InProgress (hopTimeoutSeconds ${HOP_TIMEOUT_SECONDS})`, 'FAILED, hop TIMED_OUT at its deadline, polls recorded; one UpdateAddon only; lock released');
    // Act
    const c = reported('stuck');
    const hop = stored('stuck').hops[0]!;
    const pollTasks = statesOf(events, 'stuck').filter((s) => s === 'PollHop').length + statesOf(events, 'stuck', { failed: true }).filter((s) => s === 'PollHop').length;
    const lock = await lockOf('stuck');
    const ran = (Date.parse(hop.endedAt!) - Date.parse(hop.startedAt)) / 1000;
    row.observe(`${c.status} ${c.error?.name}; hop ${hop.outcome} after ${hop.polls} polls, ${Math.round(ran)} virtual s; ${mutatingStates('stuck')} ApplyHop; lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('HopTimeoutError');
    expect(hop.outcome).toBe('TIMED_OUT');
    expect(ran).toBeGreaterThanOrEqual(HOP_TIMEOUT_SECONDS);
    expect(hop.polls).toBe(pollTasks);
    expect(hop.polls).toBeGreaterThan(0);
    expect(stored('stuck').hops).toHaveLength(1);
    expect(mutatingStates('stuck')).toBe(1);
    expect(c.final.status).toBe('UPDATING');
    expect(lock).toBeNull();
  });

  it('control plane UPDATING for good: the wait is bounded, the cluster ends FAILED with no change', (context) => {
    // Prepare
    const row = matrixRow(context, 'Control plane UPDATING and never settling', 'bounded retries, then FAILED (ClusterNotActiveError); no EKS write');
    // Act
    const c = reported('cp-stuck');
    const attempts = statesOf(events, 'cp-stuck', { failed: true }).filter((s) => s === 'TakeSnapshot').length;
    row.observe(`${c.status} ${c.error?.name} after ${attempts} snapshot attempts; ${mutatingStates('cp-stuck')} ApplyHop`);
    // Assess
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('ClusterNotActiveError');
    // The ASL's Retry: MaxAttempts 10 → 11 attempts in all.
    expect(attempts).toBe(11);
    expect(mutatingStates('cp-stuck')).toBe(0);
  });

  it('cluster deleted mid-run: FAILED cleanly, the hop closed, the lock released', async (context) => {
    // Prepare
    const row = matrixRow(context, 'Cluster deleted after the first accepted update', 'FAILED (ClusterNotFoundError), hop closed FAILED, lock released, fleet goes on');
    // Act
    const c = reported('deleted');
    const hops = stored('deleted').hops;
    const lock = await lockOf('deleted');
    row.observe(`${c.status} ${c.error?.name}; hops ${hops.map((h) => h.outcome).join(',')}; lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(c.status).toBe('FAILED');
    expect(c.error?.name).toBe('ClusterNotFoundError');
    expect(hops).toHaveLength(1);
    expect(hops[0]).toMatchObject({ outcome: 'FAILED', error: { name: 'ClusterNotFoundError' } });
    expect(lock).toBeNull();
  });

  it('cluster listed but gone (ghost): SKIPPED before any change', (context) => {
    // Prepare
    const row = matrixRow(context, 'Cluster gone before the run reaches it', 'SKIPPED with the reason, no EKS write');
    // Act
    const c = reported('ghost');
    row.observe(`${c.status} ${c.error?.name}: ${c.error?.message}; ${mutatingStates('ghost')} ApplyHop`);
    // Assess
    expect(c.status).toBe('SKIPPED');
    expect(c.error?.message).toMatch(/no such cluster|not found/i);
    expect(mutatingStates('ghost')).toBe(0);
  });

  it('the rest of the fleet goes on: the bystander is upgraded, the run summary counts every outcome', (context) => {
    // Prepare
    const row = matrixRow(context, 'Faulty clusters next to a healthy one (failureThreshold 0)', 'bystander UPGRADED; summary counts every cluster once');
    // Act
    const c = reported('bystander');
    row.observe(`bystander ${c.status}; summary ${JSON.stringify(report.summary.byStatus)}`);
    // Assess
    expect(c.status).toBe('UPGRADED');
    expect(c.final).toMatchObject({ addonVersion: 'v1.21.1-eksbuild.8', configurationValues: CONFIG, serviceAccountRoleArn: ROLE });
    expect(report.summary.total).toBe(fleet.clusters.length);
    // One accepted UpdateAddon per started hop: bystander, conflict, degraded, stuck, deleted; none for the rest.
    expect(report.summary.eksMutatingCalls).toBe(5);
    expect(report.summary.byStatus).toEqual({ UPGRADED: 1, FAILED: 6, SKIPPED: 1 });
  });
});
