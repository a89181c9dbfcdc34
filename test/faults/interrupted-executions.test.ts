import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandler } from '../../functions/cleanup-execution.js';
import type { CleanupResult } from '../../lib/steps/cleanup-execution.js';
import type { AbortedExecution, TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { dynamoTargets } from '../helpers/start-dynamo.js';
import { matrixRow } from './fault-matrix.js';
import type { FaultRig } from './fault-rig.js';
import { keyOf, quickFleet, startFaultRig } from './fault-rig.js';

// An execution that ends outside its workflow's own states (StopExecution from the console, a timeout, a failure
// past the Catch): the real cleanup handler, given the event EventBridge sends for that end, must release exactly
// that execution's locks and close what it left open as ABORTED. The executions are real (the local runner over
// the real handlers, on the simulator and each local DynamoDB); only EventBridge's delivery of the event is
// played by the test, since no EventBridge runs here.
const context = { functionName: 'cleanupExecution', awsRequestId: 'test' } as Context;

/** The "Step Functions Execution Status Change" event of an execution the runner stopped. */
const statusChange = (e: AbortedExecution, status: string) => ({
  version: '0',
  source: 'aws.states',
  'detail-type': 'Step Functions Execution Status Change',
  detail: { executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status, input: JSON.stringify(e.input), inputDetails: { included: true } },
});

const ranApplyHop = (events: readonly TaskEvent[], executionName: string): boolean =>
  events.some((e) => e.stateName === 'ApplyHop' && !e.error && (e.input as { executionId?: string }).executionId?.endsWith(`:${executionName}`));

describe.each(dynamoTargets.filter((t) => t.available))('fault matrix: executions ended outside the workflow ($name)', (target) => {
  let rig: FaultRig;
  let cleanup: (event: unknown) => Promise<CleanupResult>;

  beforeAll(async () => {
    rig = await startFaultRig({
      dynamo: target,
      fleet: quickFleet([
        // Each first hop takes 600 virtual s, so the executions are mid-hop when they are stopped.
        { name: 'stopped', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' }, faults: [{ effect: 'SLOW', toVersion: 'v1.20.*', durationSeconds: 600 }] },
        { name: 'bystander', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' }, faults: [{ effect: 'SLOW', toVersion: 'v1.20.*', durationSeconds: 600 }] },
        { name: 'conflict', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*' }] },
      ]),
    });
    const handler = buildHandler(() => rig.deps);
    cleanup = (event) => handler(event, context);
  });
  afterAll(() => rig?.close());

  it('a stopped cluster execution: its lock released, its cluster, hop and run ABORTED; another execution’s lock untouched', async (ctx) => {
    // Prepare: two standalone executions mid-hop, each holding its cluster's lock.
    const row = matrixRow(ctx, `Cluster execution stopped mid-hop (StopExecution, ${target.name})`, 'cleanup on the ABORTED event: its lock released, cluster/hop/run ABORTED; others untouched; a new execution runs');
    const ends = [rig.runCluster('stopped', 'exec-stopped'), rig.runCluster('bystander', 'exec-bystander')];
    for (let i = 0; i < 1000 && !(ranApplyHop(rig.events, 'exec-stopped') && ranApplyHop(rig.events, 'exec-bystander')); i++) await new Promise((r) => setTimeout(r, 10));
    const lockBefore = await rig.store.getLock(keyOf('stopped'));

    // Act
    const aborted = await rig.abortAll();
    await Promise.all(ends);
    const stopped = aborted.find((e) => e.name === 'exec-stopped')!;
    const result = await cleanup(statusChange(stopped, 'ABORTED'));
    const replay = await cleanup(statusChange(stopped, 'ABORTED'));
    const records = await rig.store.getRunCluster('exec-stopped', keyOf('stopped'));
    const bystanderLock = await rig.store.getLock(keyOf('bystander'));
    row.observe(
      `released ${result.releasedLocks.length} lock(s), cluster ${records?.cluster?.status}, hop ${records?.hops[0]?.outcome}, run ${(await rig.store.getRun('exec-stopped'))?.status}; bystander lock ${bystanderLock ? 'kept' : 'gone'}; replay released ${replay.releasedLocks.length}`,
    );

    // Assess
    expect(lockBefore).toMatchObject({ owner: stopped.executionArn, runId: 'exec-stopped' });
    expect(aborted.map((e) => e.name).sort()).toEqual(['exec-bystander', 'exec-stopped']);
    expect(result).toMatchObject({ runId: 'exec-stopped', releasedLocks: [keyOf('stopped')], abortedClusters: [keyOf('stopped')], runClosed: true });
    expect(await rig.store.getLock(keyOf('stopped'))).toBeNull();
    expect(records?.cluster).toMatchObject({ status: 'ABORTED', error: { name: 'ExecutionAborted', message: expect.stringContaining('exec-stopped ended ABORTED') } });
    expect(records?.hops.map((h) => [h.index, h.outcome, h.error?.name])).toEqual([[1, 'ABORTED', 'ExecutionAborted']]);
    expect(await rig.store.getRun('exec-stopped')).toMatchObject({ status: 'ABORTED', summary: { total: 1, byStatus: { ABORTED: 1 }, endedBy: { executionArn: stopped.executionArn, status: 'ABORTED' } } });
    // Exactly that execution's lock: the other execution still holds its own until its own event comes.
    expect(bystanderLock?.owner).toMatch(/:exec-bystander$/);
    expect(replay).toMatchObject({ releasedLocks: [], abortedClusters: [], runClosed: false });
    // The cluster is free for the next execution, which snapshots whatever the stopped hop left.
    const next = await rig.runCluster('stopped', 'exec-after-stop');
    expect(next.output).toMatchObject({ status: 'UPGRADED' });
  });

  it('a timed-out execution is closed the same way, named ExecutionTimedOut', async (ctx) => {
    // Prepare: exec-bystander of the test above was stopped too, but its event had not come yet.
    const row = matrixRow(ctx, `Cluster execution timed out (${target.name})`, 'cleanup on the TIMED_OUT event: lock released, cluster ABORTED with ExecutionTimedOut');
    const arn = (await rig.store.getLock(keyOf('bystander')))!.owner;
    const execution: AbortedExecution = { executionArn: arn, stateMachineArn: arn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, ''), name: 'exec-bystander', input: { cluster: { name: 'bystander', region: 'us-east-1' }, trigger: 'local' } };

    // Act
    const result = await cleanup(statusChange(execution, 'TIMED_OUT'));
    const cluster = await rig.store.getCluster('exec-bystander', keyOf('bystander'));
    row.observe(`released ${result.releasedLocks.join(', ')}; cluster ${cluster?.status} (${cluster?.error?.name})`);

    // Assess
    expect(result.releasedLocks).toEqual([keyOf('bystander')]);
    expect(await rig.store.getLock(keyOf('bystander'))).toBeNull();
    expect(cluster).toMatchObject({ status: 'ABORTED', error: { name: 'ExecutionTimedOut' } });
    expect(await rig.store.getRun('exec-bystander')).toMatchObject({ status: 'ABORTED' });
  });

  it('an execution that failed through its own Catch left nothing open: the cleanup changes nothing', async (ctx) => {
    // Prepare
    const row = matrixRow(ctx, `Cluster execution FAILED through its workflow (${target.name})`, 'cleanup on the FAILED event is a no-op: outcome FAILED and its error kept');
    const end = await rig.runCluster('conflict', 'exec-conflict');
    const arn = `arn:aws:states:us-east-1:000000000000:execution:UpgradeClusterStateMachine:exec-conflict`;
    const execution: AbortedExecution = { executionArn: arn, stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:UpgradeClusterStateMachine', name: 'exec-conflict', input: { cluster: { name: 'conflict', region: 'us-east-1' }, trigger: 'local' } };

    // Act
    const result = await cleanup(statusChange(execution, 'FAILED'));
    const cluster = await rig.store.getCluster('exec-conflict', keyOf('conflict'));
    row.observe(`execution ${end.error?.name}; cleanup released ${result.releasedLocks.length}, aborted ${result.abortedClusters.length}; cluster ${cluster?.status}`);

    // Assess
    expect(end.error?.name).toBe('AddonUpdateFailedError');
    expect(result).toMatchObject({ releasedLocks: [], abortedClusters: [], runClosed: false });
    expect(cluster).toMatchObject({ status: 'FAILED', error: { name: 'AddonUpdateFailedError' } });
    expect(await rig.store.getRun('exec-conflict')).toMatchObject({ status: 'FAILED' });
  });

  it('a stopped fleet run: each child’s event releases its lock, the fleet’s closes the clusters not started and the run', async (ctx) => {
    // Prepare: one cluster at a time, so one is mid-hop and the others are still PENDING.
    const row = matrixRow(ctx, `Fleet run stopped mid-wave (${target.name})`, 'child cleanups release their locks; fleet cleanup closes PENDING clusters and the run ABORTED; no lock left');
    const run = rig.runFleet('fleet-stopped', { lanesAtOnce: 1, perLaneConcurrency: 1, failureThreshold: 0 }, ['stopped', 'bystander', 'conflict']).catch((error: unknown) => error);
    for (let i = 0; i < 1000 && !rig.events.some((e) => e.stateName === 'ApplyHop' && (e.input as { runId?: string }).runId === 'fleet-stopped'); i++) await new Promise((r) => setTimeout(r, 10));

    // Act
    const aborted = await rig.abortAll();
    await run;
    const results = [];
    for (const e of aborted) results.push(await cleanup(statusChange(e, 'ABORTED')));
    const clusters = await rig.store.listRunClusters('fleet-stopped');
    const locks = await Promise.all(['stopped', 'bystander', 'conflict'].map((n) => rig.store.getLock(keyOf(n))));
    row.observe(`${aborted.length} executions stopped; clusters ${clusters.map((c) => c.cluster?.status).join(', ')}; run ${(await rig.store.getRun('fleet-stopped'))?.status}; locks left ${locks.filter(Boolean).length}`);

    // Assess: the cluster child first (it held the lock), then its lane (a Distributed Map child of the fleet: it
    // closes nothing, the fleet goes on without a lane), the fleet last (it closed the run).
    expect(aborted.map((e) => e.stateMachineArn.split(':').pop())).toEqual(['UpgradeClusterStateMachine', 'UpgradeFleetStateMachine/UpgradeWave', 'UpgradeFleetStateMachine']);
    expect(results[0]).toMatchObject({ runId: 'fleet-stopped', releasedLocks: [expect.any(String)], runClosed: false });
    expect(results[1]).toMatchObject({ runId: 'fleet-stopped', releasedLocks: [], abortedClusters: [], runClosed: false });
    expect(results[2]).toMatchObject({ runId: 'fleet-stopped', runClosed: true });
    expect(results[2]?.abortedClusters).toHaveLength(2);
    expect(clusters.map((c) => c.cluster?.status)).toEqual(['ABORTED', 'ABORTED', 'ABORTED']);
    expect(locks).toEqual([null, null, null]);
    expect(await rig.store.getRun('fleet-stopped')).toMatchObject({ status: 'ABORTED', summary: { total: 3, byStatus: { ABORTED: 3 } } });
  });
});
