import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockTtlSeconds } from '../../lib/steps/acquire-lock.js';
import { UpgradeOptions } from '../../lib/schemas/upgrade-options.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { dynamoTargets } from '../helpers/start-dynamo.js';
import { matrixRow } from './fault-matrix.js';
import type { FaultRig } from './fault-rig.js';
import { keyOf, quickFleet, startFaultRig } from './fault-rig.js';

// Per-cluster locking and resuming, against each local DynamoDB: dynalite always, moto_server when it is on PATH
// (its conditional writes are closer to DynamoDB's). Each scenario runs real executions of the cluster (or fleet)
// workflow on one simulator and one progress table.
const CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
// A short soak for the rollout gate: it must fit in the short hop timeout (an input error otherwise).
const FIRST_RUN_OPTIONS = { hopTimeoutSeconds: 120, expectedHopSeconds: 30, rolloutSoakSeconds: 30 };

/** The task invocations of one execution (ValidateInput carries its name; later states its ARN). */
const ofExecution = (events: readonly TaskEvent[], executionName: string) =>
  events.filter((e) => {
    const input = e.input as { executionName?: string; executionId?: string };
    return input.executionName === executionName || input.executionId?.endsWith(`:${executionName}`);
  });

describe.each(dynamoTargets.filter((t) => t.available))('fault matrix: locks and resume ($name)', (target) => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig({
      dynamo: target,
      fleet: quickFleet([
        // A hop of 600 virtual s keeps the first execution busy while the second one starts.
        { name: 'contended', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'SLOW', durationSeconds: 600 }] },
        { name: 'orphaned', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' } },
        // Hop 2 (v1.20) takes 250 s, longer than the first run's hopTimeoutSeconds (120).
        {
          name: 'resumable',
          kubernetesVersion: '1.29',
          addon: { version: 'v1.18.5-eksbuild.1', configurationValues: CONFIG, serviceAccountRoleArn: ROLE },
          faults: [{ effect: 'SLOW', toVersion: 'v1.20.*', durationSeconds: 250 }],
        },
      ]),
    });
  });
  afterAll(() => rig?.close());

  it('two executions for one cluster: the second fails fast with LockHeldError and makes no EKS call', async (context) => {
    // Prepare
    const row = matrixRow(context, `Two executions for one cluster at once (${target.name})`, 'second: LockHeldError at AcquireLock, recorded, no EKS call; first: unaffected, UPGRADED, lock released');
    const first = rig.runCluster('contended', 'exec-first', { expectedHopSeconds: 60 });
    for (let i = 0; i < 500 && !ofExecution(rig.events, 'exec-first').some((e) => e.stateName === 'ApplyHop'); i++) await new Promise((r) => setTimeout(r, 10));
    const callsBefore = rig.sim.calls.length;
    // Act
    const second = await rig.runCluster('contended', 'exec-second');
    const callsDuringSecond = rig.sim.calls.slice(callsBefore).filter((c) => c.cluster === 'contended');
    const lockAfterSecond = await rig.store.getLock(keyOf('contended'));
    const firstEnd = await first;
    const secondStates = ofExecution(rig.events, 'exec-second').map((e) => `${e.stateName}${e.error ? '✗' : ''}`);
    const secondRecord = await rig.store.getCluster('exec-second', keyOf('contended'));
    row.observe(
      `second: ${second.error?.name}, states ${secondStates.join(' → ')}, ${callsDuringSecond.filter((c) => c.mutating).length} EKS writes; lock still ${lockAfterSecond?.owner.split(':').pop()}; first: ${(firstEnd.output as { status?: string } | undefined)?.status}`,
    );
    // Assess
    expect(second.error?.name).toBe('LockHeldError');
    expect(secondStates).toEqual(['ValidateInput', 'AcquireLock✗', 'RecordLockFailure']);
    // What the simulator saw meanwhile are the first execution's polls only.
    expect(callsDuringSecond.every((c) => c.operation === 'DescribeUpdate' || c.operation === 'DescribeAddon')).toBe(true);
    expect(lockAfterSecond?.owner).toMatch(/:exec-first$/);
    expect(secondRecord).toMatchObject({ status: 'FAILED', error: { name: 'LockHeldError' } });
    expect(firstEnd.output).toMatchObject({ status: 'UPGRADED' });
    expect(rig.sim.calls.filter((c) => c.cluster === 'contended' && c.mutating)).toHaveLength(1);
    expect(await rig.store.getLock(keyOf('contended'))).toBeNull();
  });

  it('a lock left by a crashed execution holds until its TTL, then expires', async (context) => {
    // Prepare
    const row = matrixRow(context, `Lock left by a crashed execution (${target.name})`, 'refused (LockHeldError, no EKS call) before the TTL; taken over after it, UPGRADED');
    // The crashed execution: ValidateInput and AcquireLock ran (the real handlers), then it died without ReleaseLock.
    const input = { cluster: { name: 'orphaned', region: 'us-east-1' }, trigger: 'local' };
    const state = await rig.tasks['validateInput']!({ input, executionId: 'arn:aws:states:us-east-1:000000000000:execution:UpgradeClusterStateMachine:exec-crashed', executionName: 'exec-crashed' });
    await rig.tasks['acquireLock']!(state);
    const ttl = lockTtlSeconds(UpgradeOptions.parse({}));
    // Act
    const callsBefore = rig.sim.calls.length;
    const refused = await rig.runCluster('orphaned', 'exec-too-early');
    const callsWhileLocked = rig.sim.calls.slice(callsBefore).filter((c) => c.cluster === 'orphaned').length;
    rig.sim.clock.advance((ttl + 1) * 1000);
    const later = await rig.runCluster('orphaned', 'exec-after-ttl');
    row.observe(`before TTL (${ttl} s): ${refused.error?.name}, ${callsWhileLocked} EKS calls; after: ${(later.output as { status?: string } | undefined)?.status ?? later.error?.name}`);
    // Assess
    expect(refused.error?.name).toBe('LockHeldError');
    expect(refused.error?.message).toContain('exec-crashed');
    expect(callsWhileLocked).toBe(0);
    expect(later.output).toMatchObject({ status: 'UPGRADED' });
    expect(await rig.store.getLock(keyOf('orphaned'))).toBeNull();
    // A cluster execution started on its own is its own run, closed by its last state; the refused one never
    // opened a run (the lock was refused before AcquireLock created it).
    expect(await rig.store.getRun('exec-after-ttl')).toMatchObject({ status: 'SUCCEEDED', summary: { total: 1, byStatus: { UPGRADED: 1 } } });
    expect(await rig.store.getRun('exec-too-early')).toBeNull();
  });

  it('a re-run after a failure resumes from the current version; hops are not repeated, records not duplicated', async (context) => {
    // Prepare
    const row = matrixRow(context, `Re-run after a failed run (${target.name})`, 'new run snapshots the current version and plans only the rest; each hop updated and recorded once');
    // Act
    const failedRun = await rig.runFleet('resume-1', FIRST_RUN_OPTIONS, ['resumable']);
    const resumedRun = await rig.runFleet('resume-2', { expectedHopSeconds: 30 }, ['resumable']);
    const [first] = await rig.store.listRunClusters('resume-1');
    const [second] = await rig.store.listRunClusters('resume-2');
    const history = await rig.store.clusterHistory(keyOf('resumable'));
    const updates = rig.sim.cluster('resumable')!.updates;
    const hops = [...first!.hops, ...second!.hops];
    row.observe(
      `run 1 ${failedRun.byStatus.FAILED ? 'FAILED' : '?'} (${first!.hops.map((h) => `${h.version}:${h.outcome}`).join(', ')}); run 2 from ${second!.snapshot?.snapshot.addonVersion}, ${second!.cluster?.status} (${second!.hops.map((h) => h.version).join(', ')}); ${updates.length} EKS updates; history ${history.length} runs`,
    );
    // Assess
    expect(failedRun.byStatus).toEqual({ FAILED: 1 });
    expect(first!.cluster?.error?.name).toBe('HopTimeoutError');
    expect(first!.hops.map((h) => [h.version, h.outcome])).toEqual([
      ['v1.19.6-eksbuild.7', 'SUCCEEDED'],
      ['v1.20.5-eksbuild.1', 'TIMED_OUT'],
    ]);
    expect(resumedRun.byStatus).toEqual({ UPGRADED: 1 });
    expect(second!.snapshot?.snapshot).toMatchObject({ addonVersion: 'v1.20.5-eksbuild.1', configurationValues: CONFIG, serviceAccountRoleArn: ROLE });
    expect(second!.plan?.plan.hops.map((h) => h.to)).toEqual(['v1.21.1-eksbuild.8']);
    expect(second!.hops.map((h) => [h.index, h.version, h.outcome])).toEqual([[1, 'v1.21.1-eksbuild.8', 'SUCCEEDED']]);
    expect(updates.map((u) => u.params.find((p) => p.type === 'AddonVersion')?.value)).toEqual(['v1.19.6-eksbuild.7', 'v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8']);
    expect(new Set(hops.map((h) => h.updateId)).size).toBe(3);
    expect(history.map((h) => [h.runId, h.status]).sort()).toEqual([
      ['resume-1', 'FAILED'],
      ['resume-2', 'UPGRADED'],
    ]);
    expect(rig.sim.cluster('resumable')!.addon).toMatchObject({ addonVersion: 'v1.21.1-eksbuild.8', status: 'ACTIVE', configurationValues: CONFIG, serviceAccountRoleArn: ROLE });
  });
  it('re-running under a finished run’s id is refused before any change, its records kept', async (context) => {
    // Prepare
    const row = matrixRow(
      context,
      `Re-run reusing the failed run’s id (${target.name}): the fleet workflow, then the cluster workflow`,
      'both refused (StepAlreadyRecordedError: a run id is one run); no EKS write; the failed run’s records unchanged; no lock left',
    );
    const writesBefore = rig.sim.count({ mutating: true });
    const [before] = await rig.store.listRunClusters('resume-1');
    // Act
    const fleetRefusal = await rig.runFleet('resume-1', FIRST_RUN_OPTIONS, ['resumable']).then(
      () => undefined,
      (error: Error) => (error.cause as Error | undefined) ?? error,
    );
    const clusterRefusal = await rig.runCluster('resumable', 'exec-reuse', FIRST_RUN_OPTIONS, 'resume-1');
    const [after] = await rig.store.listRunClusters('resume-1');
    const lock = await rig.store.getLock(keyOf('resumable'));
    row.observe(
      `fleet: ${fleetRefusal?.name ?? 'accepted'}; cluster: ${clusterRefusal.error?.name ?? 'accepted'}; ${rig.sim.count({ mutating: true }) - writesBefore} EKS writes; record ${after!.cluster?.status} ${after!.cluster?.error?.name}; lock ${lock ? 'held' : 'none'}`,
    );
    // Assess
    expect(fleetRefusal?.name).toBe('StepAlreadyRecordedError');
    expect(fleetRefusal?.message).toContain('already ended as FAILED');
    expect(clusterRefusal.error?.name).toBe('StepAlreadyRecordedError');
    expect(rig.sim.count({ mutating: true })).toBe(writesBefore);
    expect(after).toEqual(before);
    expect(lock).toBeNull();
  });
});
