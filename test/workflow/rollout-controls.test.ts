import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { serveStepFunctions, type LocalStepFunctionsEndpoint } from '../../rehearsal/runner/step-functions-endpoint.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { answerApproval } from '../../lib/operator/run-controls.js';
import { clusterSpans as spans, startLocalWorkflow, type LocalWorkflow } from '../invariants/local-workflow.js';

// The rollout controls between waves (docs/operating-a-run.md) through the real fleet and cluster definitions, the
// real handlers, the simulator and dynalite, on discrete-event time: bake time, approval gates (answered by a second
// client over the Step Functions API, rejected, or left to time out), and alarms raised mid-wave.

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A cluster one hop from the default (1.29: v1.20.5 → v1.21.1), in wave `wave` ('' = untagged). */
const cluster = (name: string, wave: string, extra: Record<string, unknown> = {}) => ({
  name,
  region: 'us-east-1',
  kubernetesVersion: '1.29',
  addon: { version: 'v1.20.5-eksbuild.1' },
  ...(wave ? { tags: { 'cni-fleet/wave': wave } } : {}),
  ...extra,
});

const listOf = (fleet: FleetFile) => fleet.clusters.map((c) => ({ name: c.name, region: c.region }));

/** When a cluster's first change was asked of EKS (its first UpdateAddon), in virtual ms. */
const firstUpdate = (events: readonly TaskEvent[], name: string): number | undefined =>
  events.find((e) => e.functionKey === 'applyHop' && (e.input as { cluster?: { name?: string } }).cluster?.name === name)?.startedAt;

describe('rollout controls between waves', () => {
  let workflow: LocalWorkflow;
  let endpoint: LocalStepFunctionsEndpoint;
  let sfn: SFNClient;
  beforeAll(async () => {
    workflow = await startLocalWorkflow();
    endpoint = await serveStepFunctions(workflow.runner);
    sfn = new SFNClient({ endpoint: endpoint.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  });
  afterAll(async () => {
    sfn?.destroy();
    await endpoint?.close();
    await workflow?.close();
  });

  it('bakes each wave before the next starts: the run-wide bake, and a wave’s own', async () => {
    // Prepare: canary bakes 2 h (its own), wave 1 bakes the run's 30 min before the untagged wave
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('can', 'canary'), cluster('one', '1'), cluster('rest', '')] });
    const loaded = await workflow.load(fleet);

    // Act
    await workflow.runFleet({ runId: 'bake', trigger: 'local', clusters: listOf(fleet), options: { bakeSeconds: 1800, waves: { canary: { bakeSeconds: 7200 } } } }, 'bake');
    const records = await loaded.store.listRunClusters('bake');
    const span = spans(loaded.events);
    await loaded.close();

    // Assess
    expect(records.map((r) => r.cluster?.status)).toEqual(['UPGRADED', 'UPGRADED', 'UPGRADED']);
    const gap = (before: string, after: string) => (span.get(after)!.start - span.get(before)!.end) / 1000;
    expect(gap('can', 'one')).toBeGreaterThanOrEqual(7200);
    expect(gap('can', 'one')).toBeLessThan(7200 + 60);
    expect(gap('one', 'rest')).toBeGreaterThanOrEqual(1800);
    expect(gap('one', 'rest')).toBeLessThan(1800 + 60);
  });

  it('waits for an approval a second client gives over the Step Functions API, then runs the wave; the record says who', async () => {
    // Prepare: wave 1 needs an approval; the test is the operator, answering through SendTaskSuccess
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('can', 'canary'), cluster('one-a', '1'), cluster('one-b', '1')] });
    const seenWhileWaiting: { status?: string; upgraded: number }[] = [];
    const loaded = await workflow.load(fleet, {
      onTaskToken: async () => {
        const records = await loaded.store.listRunClusters('approved');
        seenWhileWaiting.push({ status: (await loaded.store.listApprovals('approved'))[0]?.status, upgraded: records.filter((r) => r.cluster?.status === 'UPGRADED').length });
        await answerApproval({ store: loaded.store, sfn, runId: 'approved', wave: '1', answer: { approve: true, by: 'alice', note: 'canary looks fine' }, where: 'local' });
      },
    });

    // Act
    const output = (await workflow.runFleet({ runId: 'approved', trigger: 'local', clusters: listOf(fleet), options: { waves: { '1': { approval: true } } } }, 'approved')) as { status?: string };
    const records = await loaded.store.listRunClusters('approved');
    const [approval] = await loaded.store.listApprovals('approved');
    await loaded.close();

    // Assess: while it waited the canary was done and wave 1 had not started
    expect(seenWhileWaiting).toEqual([{ status: 'PENDING', upgraded: 1 }]);
    expect(output.status).toBe('SUCCEEDED');
    expect(records.map((r) => r.cluster?.status)).toEqual(['UPGRADED', 'UPGRADED', 'UPGRADED']);
    expect(approval).toMatchObject({ wave: { index: 1, name: '1' }, clusters: 2, lanes: 1, status: 'APPROVED', answeredBy: 'alice', note: 'canary looks fine', notice: { sent: true, error: null } });
    expect(loaded.notices).toHaveLength(1);
    expect(loaded.notices[0]?.message).toMatch(/^cni-fleet run approved: wave 2 of 2 \(1, 2 cluster\(s\) in 1 lane\(s\)\) waits for approval until \S+; .*Approve: cni-fleet approve approved --wave 1 --local\./);
  });

  it('halts the run when the approval is rejected: later clusters SKIPPED with the reason, run HALTED, execution FAILED', async () => {
    // Prepare
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('can', 'canary'), cluster('one', '1'), cluster('rest', '')] });
    const loaded = await workflow.load(fleet, {
      onTaskToken: () => answerApproval({ store: loaded.store, sfn, runId: 'rejected', wave: undefined, answer: { approve: false, by: 'bob', reason: 'canary pages' }, where: 'local' }).then(() => undefined),
    });

    // Act
    const output = (await workflow.runFleet({ runId: 'rejected', trigger: 'local', clusters: listOf(fleet), options: { approval: { everyWave: true } } }, 'rejected')) as { failed?: string };
    const records = await loaded.store.listRunClusters('rejected');
    const run = await loaded.store.getRun('rejected');
    const approvals = await loaded.store.listApprovals('rejected');
    const updated = new Set(loaded.sim.calls.filter((c) => c.mutating).map((c) => c.cluster));
    await loaded.close();

    // Assess
    const byName = Object.fromEntries(records.map((r) => [r.cluster?.clusterName, r.cluster]));
    expect(byName['can']?.status).toBe('UPGRADED');
    for (const name of ['one', 'rest']) {
      expect(byName[name]?.status).toBe('SKIPPED');
      expect(byName[name]?.error?.message).toContain('approval of wave 2 (1) rejected: rejected by bob: canary pages');
    }
    expect(updated).toEqual(new Set(['can']));
    expect(approvals.map((a) => [a.wave.name, a.status, a.answeredBy])).toEqual([['1', 'REJECTED', 'bob']]);
    expect(run?.status).toBe('HALTED');
    expect(output.failed).toBe('halted before wave 2 (1): approval of wave 2 (1) rejected: rejected by bob: canary pages');
  });

  it('ends the run after approval.timeoutSeconds of virtual time when nobody answers, with the reason recorded', async () => {
    // Prepare
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('can', 'canary'), cluster('one', '1')] });
    const loaded = await workflow.load(fleet);
    const startedAt = loaded.sim.clock.now();

    // Act
    const output = (await workflow.runFleet({ runId: 'unanswered', trigger: 'local', clusters: listOf(fleet), options: { approval: { everyWave: true, timeoutSeconds: 5400 } } }, 'unanswered')) as {
      failed?: string;
    };
    const [approval] = await loaded.store.listApprovals('unanswered');
    const one = await loaded.store.getCluster('unanswered', '111122223333/us-east-1/one');
    const elapsed = (loaded.sim.clock.now() - startedAt) / 1000;
    await loaded.close();

    // Assess
    expect(approval).toMatchObject({ status: 'TIMED_OUT', answeredBy: 'nobody' });
    expect(Date.parse(approval!.deadline) - Date.parse(approval!.requestedAt)).toBe(5_400_000);
    expect(elapsed).toBeGreaterThanOrEqual(5400);
    expect(one).toMatchObject({ status: 'SKIPPED', error: { message: expect.stringContaining('approval of wave 2 (1) not given in time (States.Timeout)') } });
    expect(output.failed).toContain('halted before wave 2 (1): approval of wave 2 (1) not given in time');
  });

  it('halts at an alarm an upgrade raised mid-wave: the next cluster does not start, and says which alarm', async () => {
    // Prepare: one lane, one cluster at a time; the first update makes the payments alarm fire 30 s later
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 120, secondsPerNode: 0 },
      alarms: [{ name: 'payments-5xx', reason: 'Threshold Crossed: 5xx rate' }],
      clusters: [
        cluster('first', '', { faults: [{ effect: 'ALARM', alarm: 'payments-5xx', afterSeconds: 30, errorMessage: 'Threshold Crossed: 5xx rate 4% > 1%' }] }),
        cluster('second', ''),
        cluster('third', ''),
      ],
    });
    const loaded = await workflow.load(fleet);

    // Act
    const output = (await workflow.runFleet(
      { runId: 'alarm-halt', trigger: 'local', clusters: listOf(fleet), options: { perLaneConcurrency: 1, alarms: { names: ['payments-5xx'], whileInAlarm: 'halt' } } },
      'alarm-halt',
    )) as { failed?: string };
    const records = await loaded.store.listRunClusters('alarm-halt');
    const updated = loaded.sim.calls.filter((c) => c.operation === 'UpdateAddon').map((c) => c.cluster);
    const described = loaded.sim.cloudWatchCalls.filter((c) => c.operation === 'DescribeAlarms').length;
    await loaded.close();

    // Assess: the first cluster finished its hop; nothing else changed
    const byName = Object.fromEntries(records.map((r) => [r.cluster?.clusterName, r.cluster]));
    expect(byName['first']?.status).toBe('UPGRADED');
    expect(updated).toEqual(['first']);
    for (const name of ['second', 'third']) {
      expect(byName[name]?.status).toBe('SKIPPED');
      expect(byName[name]?.error?.name).toBe('RunHaltedError');
      expect(byName[name]?.error?.message).toContain('alarm "payments-5xx" is in ALARM since');
      expect(byName[name]?.error?.message).toContain('Threshold Crossed: 5xx rate 4% > 1%');
    }
    expect(described).toBeGreaterThanOrEqual(2);
    expect(output.failed).toMatch(/^halted: alarm "payments-5xx" is in ALARM since \S+ \(Threshold Crossed: 5xx rate 4% > 1%\)$/);
  });

  it('pauses while an alarm is in ALARM (pause mode) and goes on when it clears; the record says how long it waited', async () => {
    // Prepare: the alarm fires 30 s into the first update and clears 20 minutes later
    const fleet = FleetFile.parse({
      settings: { updateSeconds: 120, secondsPerNode: 0 },
      alarms: [{ name: 'payments-5xx' }],
      clusters: [cluster('first', '', { faults: [{ effect: 'ALARM', alarm: 'payments-5xx', afterSeconds: 30, durationSeconds: 1200 }] }), cluster('second', '')],
    });
    const loaded = await workflow.load(fleet);
    const startedAt = loaded.sim.clock.now();

    // Act
    const output = (await workflow.runFleet(
      { runId: 'alarm-pause', trigger: 'local', clusters: listOf(fleet), options: { perLaneConcurrency: 1, controlPollSeconds: 60, alarms: { names: ['payments-5xx'], maxPauseSeconds: 3600 } } },
      'alarm-pause',
    )) as { status?: string };
    const second = await loaded.store.getCluster('alarm-pause', '111122223333/us-east-1/second');
    const secondUpdate = firstUpdate(loaded.events, 'second');
    await loaded.close();

    // Assess
    expect(output.status).toBe('SUCCEEDED');
    expect(second?.status).toBe('UPGRADED');
    expect(second?.hold).toBeNull();
    expect(second?.holds).toEqual([{ kind: 'alarm', reason: expect.stringContaining('alarm "payments-5xx" is in ALARM'), from: expect.any(String), to: expect.any(String), outcome: 'started' }]);
    // The alarm cleared 30 s + 1,200 s after the first update started; the second's update came after that.
    expect(((secondUpdate ?? 0) - startedAt) / 1000).toBeGreaterThanOrEqual(1230);
  });
});
