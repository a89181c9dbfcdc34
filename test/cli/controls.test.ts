import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { serveStepFunctions, type LocalStepFunctionsEndpoint } from '../../rehearsal/runner/step-functions-endpoint.js';
import { openLocalProgress } from '../../bin/actions/local-progress.js';
import { setRunPaused } from '../../lib/operator/run-controls.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { CLI, cleanEnv, cli } from '../helpers/cli-process.js';
import { startRehearsal } from '../helpers/rehearsal-process.js';
import { startLocalWorkflow, type LocalWorkflow } from '../invariants/local-workflow.js';

// `cni-fleet approve|reject|pause|resume RUN` through the compiled CLI, as a second client of a run that waits:
// against a rehearsal running in another process (--local, over the endpoints it advertises in its data folder),
// and against a "stage" (--table, --region) whose Step Functions is the local runner's API endpoint and whose
// progress table is dynalite — the calls the CLI makes to AWS, answered by the real workflow definitions.

const cluster = (name: string, wave: string) => ({
  name,
  region: 'us-east-1',
  kubernetesVersion: '1.29',
  addon: { version: 'v1.20.5-eksbuild.1' },
  ...(wave ? { tags: { 'cni-fleet/wave': wave } } : {}),
});
const FLEET = { settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [cluster('can', 'canary'), cluster('one-a', '1'), cluster('one-b', '1')] };
// Stack traces never reach an operator.
const STACK = /\n\s+at /;

/** Polls `read` (real time) until it returns something, at most `ms`. */
async function until<T>(read: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The fleet's wave-gate looks that held a wave (CheckFailureBudget deciding `hold`), in order. */
const waveHolds = (events: readonly TaskEvent[]): { reason: string; at: number }[] =>
  events.flatMap((e) => {
    const out = e.output as { action?: string; reason?: string } | undefined;
    return e.stateName === 'CheckFailureBudget' && out?.action === 'hold' ? [{ reason: out.reason ?? '', at: e.endedAt }] : [];
  });

describe('cni-fleet approve|reject|pause|resume --local: a rehearsal running in another process', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-controls-'));
    env = cleanEnv(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pauses the waiting run, approves its wave (held by the pause), resumes it: the wave runs, the records say who and what held it', async () => {
    // Prepare: wave 1 waits for an approval; --approve wait leaves it to other terminals
    const fleetFile = join(dir, 'fleet.json');
    const inputFile = join(dir, 'input.json');
    const dataDir = join(dir, 'data');
    const reportDir = join(dir, 'reports');
    await writeFile(fleetFile, JSON.stringify(FLEET));
    await writeFile(inputFile, JSON.stringify({ clusters: FLEET.clusters.map((c) => ({ name: c.name, region: c.region })), options: { waves: { '1': { approval: true } }, controlPollSeconds: 60 } }));
    const rehearsal = startRehearsal(['--fleet', fleetFile, '--input', inputFile, '--approve', 'wait', '--data-dir', dataDir, '--report-dir', reportDir, '--speed', '50'], env);
    await rehearsal.waitFor(/waits for approval until/);
    const runId = /cni-fleet run (\S+): wave 2 of 2/.exec(rehearsal.stderr())![1]!;
    const local = ['--local', dataDir];

    // Act
    const wrongWave = await cli(['approve', runId, '--wave', 'canary', ...local], env);
    const paused = await cli(['pause', runId, '--by', 'carol', '--reason', 'incident 4711', ...local], env);
    const pausedAgain = await cli(['pause', runId, ...local], env);
    const approved = await cli(['approve', runId, '--wave', '1', '--by', 'alice', '--note', 'canary fine', ...local, '--output', 'json'], env);
    // Approved but paused: the wave gate holds the wave. Three real seconds are 150 simulated at --speed 50, more
    // than two looks of controlPollSeconds 60, and no cluster of wave 1 may have started meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const progress = await openLocalProgress(dataDir);
    const whilePaused = await progress.store.listRunClusters(runId).finally(() => progress.close());
    const resumed = await cli(['resume', runId, '--by', 'carol', ...local], env);
    const exit = await rehearsal.exit;
    const afterwards = await cli(['approve', runId, ...local], env);

    // Assess
    expect(wrongWave.code).toBe(1);
    expect(wrongWave.stderr.trim()).toBe(`cni-fleet approve: run ${runId} waits for no approval of wave canary (its approvals: wave 2 (1) PENDING)`);
    expect(paused).toMatchObject({ code: 0, stderr: '' });
    expect(paused.stdout).toContain(`Paused run ${runId} as carol`);
    expect(pausedAgain.code).toBe(1);
    expect(pausedAgain.stderr).toMatch(/paused already \(by carol at /);
    expect(approved.code).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({ runId, action: 'approve', wave: { index: 1, name: '1' }, clusters: 2, by: 'alice', note: 'canary fine' });
    const startedWhilePaused = whilePaused.filter((r) => ['one-a', 'one-b'].includes(r.cluster?.clusterName ?? '') && r.cluster?.status !== 'PENDING');
    expect(startedWhilePaused).toEqual([]);
    expect(resumed).toMatchObject({ code: 0, stderr: '' });
    expect(exit.code).toBe(0);
    const report = JSON.parse(readFileSync(join(reportDir, readdirSync(reportDir).find((f) => f.endsWith('.json'))!), 'utf8')) as RehearsalReport;
    expect(report.summary.byStatus).toEqual({ UPGRADED: 3 });
    // The rehearsal is over: nothing runs on the folder to answer.
    expect(afterwards.code).toBe(1);
    expect(afterwards.stderr.trim()).toBe(`cni-fleet approve: no rehearsal is running on ${dataDir}: a local run can only be approved, rejected, paused or resumed while \`cni-fleet rehearse\` runs (see --data-dir)`);
    for (const r of [wrongWave, paused, pausedAgain, approved, resumed, afterwards]) expect(r.stderr).not.toMatch(STACK);
    const after = await openLocalProgress(dataDir);
    try {
      expect((await after.store.getRunGate(runId))?.control).toMatchObject({ state: 'RUNNING', by: 'carol' });
      expect((await after.store.listApprovals(runId))[0]).toMatchObject({ status: 'APPROVED', answeredBy: 'alice', note: 'canary fine' });
    } finally {
      await after.close();
    }
  }, 120_000);

  it('rehearse --approve prompt asks in the terminal and goes on with the answer', async () => {
    // Prepare
    const fleetFile = join(dir, 'prompt-fleet.json');
    const inputFile = join(dir, 'prompt-input.json');
    const dataDir = join(dir, 'prompt-data');
    await writeFile(fleetFile, JSON.stringify(FLEET));
    await writeFile(inputFile, JSON.stringify({ clusters: FLEET.clusters.map((c) => ({ name: c.name, region: c.region })), options: { waves: { '1': { approval: true } } } }));
    const child = spawn(process.execPath, [CLI, 'rehearse', '--fleet', fleetFile, '--input', inputFile, '--approve', 'prompt', '--data-dir', dataDir, '--report-dir', join(dir, 'prompt-reports'), '--speed', '200'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let answered = false;
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!answered && /approve wave 2 \(1, 2 cluster\(s\)\)\? \[y = approve \/ n = reject\] $/.test(stderr)) {
        answered = true;
        child.stdin.write('y\n');
      }
    });

    // Act
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const progress = await openLocalProgress(dataDir);
    const runId = /cni-fleet run (\S+): wave 2 of 2/.exec(stderr)?.[1] ?? '';
    const approvals = await progress.store.listApprovals(runId).finally(() => progress.close());

    // Assess
    expect(answered).toBe(true);
    expect(code).toBe(0);
    expect(approvals).toEqual([expect.objectContaining({ status: 'APPROVED', answeredBy: expect.stringMatching(/\(rehearse --approve prompt\)$/) })]);
  }, 120_000);

  it('refuses bad input on one line with exit 2 before reaching anything', async () => {
    // Act
    const noReason = await cli(['reject', 'some-run', '--local', join(dir, 'nowhere')], env);
    const regionWithLocal = await cli(['pause', 'some-run', '--local', join(dir, 'nowhere'), '--region', 'us-east-1'], env);

    // Assess
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason/);
    expect(regionWithLocal.code).toBe(2);
    expect(regionWithLocal.stderr.trim()).toBe('cni-fleet pause: --region: applies to a deployed stage: add --stage or --table, or drop it to act on the local rehearsal');
  });
});

describe('cni-fleet approve|reject|pause|resume against a stage (Step Functions API, progress table)', () => {
  let workflow: LocalWorkflow;
  let endpoint: LocalStepFunctionsEndpoint;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-controls-aws-'));
    workflow = await startLocalWorkflow();
    endpoint = await serveStepFunctions(workflow.runner);
    env = cleanEnv(dir, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_ENDPOINT_URL_SFN: endpoint.endpoint, AWS_ENDPOINT_URL_DYNAMODB: workflow.dynamoEndpoint });
  });
  afterAll(async () => {
    await endpoint?.close();
    await workflow?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('pause and approve while the wave waits, resume while it is held: SendTaskSuccess on the stored token, the control record read before each cluster', async () => {
    // Prepare
    const fleet = FleetFile.parse(FLEET);
    const results: Record<string, { code: number; stderr: string }> = {};
    const loaded = await workflow.load(fleet, {
      // The run waits at the gate (virtual time stands still while this runs): the operator pauses, then approves.
      onTaskToken: async () => {
        const stage = ['--table', loaded.tableName, '--region', 'us-east-1'];
        results['pause'] = await cli(['pause', 'aws-run', '--by', 'dana', '--reason', 'change freeze', ...stage], env);
        results['approve'] = await cli(['approve', 'aws-run', '--wave', '1', '--by', 'erin', ...stage], env);
        // Once the wave gate held the wave for the pause, resume (in-process, at once: held looks go on meanwhile).
        void until(async () => (waveHolds(loaded.events).length > 0 ? true : undefined), 60_000, 'the wave held').then(() =>
          setRunPaused(loaded.store, 'aws-run', { paused: false, by: 'dana', reason: null, now: new Date() }, 'test'),
        );
      },
    });

    // Act
    const output = (await workflow.runFleet({ runId: 'aws-run', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options: { waves: { '1': { approval: true } }, controlPollSeconds: 600, maxPauseSeconds: 604_800 } }, 'aws-run')) as { status?: string };
    const records = await loaded.store.listRunClusters('aws-run');
    const [approval] = await loaded.store.listApprovals('aws-run');
    const rejectLate = await cli(['reject', 'aws-run', '--reason', 'too late', '--table', loaded.tableName, '--region', 'us-east-1'], env);
    await loaded.close();

    // Assess
    expect(results['pause']).toMatchObject({ code: 0, stderr: '' });
    expect(results['approve']).toMatchObject({ code: 0, stderr: '' });
    expect(output, JSON.stringify(output)).toMatchObject({ status: 'SUCCEEDED' });
    expect(records.map((r) => r.cluster?.status)).toEqual(['UPGRADED', 'UPGRADED', 'UPGRADED']);
    expect(approval).toMatchObject({ status: 'APPROVED', answeredBy: 'erin' });
    // The wave was held for the pause after its approval, then went: its clusters started after the last hold.
    const holds = waveHolds(loaded.events);
    expect(holds.length).toBeGreaterThan(0);
    expect(holds[0]!.reason).toMatch(/^the run is paused by dana: change freeze/);
    const firstWaveOneStart = Math.min(...loaded.events.filter((e) => e.functionKey === 'applyHop' && ['one-a', 'one-b'].includes((e.input as { cluster?: { name?: string } }).cluster?.name ?? '')).map((e) => e.startedAt));
    expect(firstWaveOneStart).toBeGreaterThan(holds.at(-1)!.at);
    // The gate is answered: a late reject finds nothing to answer, on one line.
    expect(rejectLate.code).toBe(1);
    expect(rejectLate.stderr.trim()).toBe('cni-fleet reject: run aws-run waits for no approval (its approvals: wave 2 (1) APPROVED)');
  }, 120_000);
});
