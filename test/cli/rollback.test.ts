import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { cleanEnv, cli } from '../helpers/cli-process.js';
import { MOTO_ACCOUNT, motoAvailable, startMoto, type TestMoto } from '../helpers/start-moto.js';
import { startLocalWorkflow, type LoadedFleet, type LocalWorkflow } from '../invariants/local-workflow.js';

// `cni-fleet rollback --cluster KEY` through the compiled CLI: it reads the cluster's last hop from the progress
// table (dynalite, written by a real run whose hop the rollout gate failed), and starts the cluster workflow in
// moto_server's Step Functions with the rollback as its input. That very input then runs through the local runner:
// the add-on goes back.

const ACCOUNT = '111122223333';
const FROM = 'v1.20.5-eksbuild.1';
const TO = 'v1.21.1-eksbuild.8';
const KEY = `${ACCOUNT}/us-east-1/broken`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

// CI must not pass by skipping: there moto_server is part of the image, and its absence is a failure.
describe.skipIf(!motoAvailable && process.env['CI'] !== 'true')('cni-fleet rollback (progress table in dynalite, moto_server Step Functions)', () => {
  let dir: string;
  let moto: TestMoto;
  let workflow: LocalWorkflow;
  let loaded: LoadedFleet;
  let sfn: SFNClient;
  let machine: string;
  let env: NodeJS.ProcessEnv;
  let stage: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-rollback-'));
    [moto, workflow] = await Promise.all([startMoto(), startLocalWorkflow()]);
    sfn = new SFNClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    const pass = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    machine = (await sfn.send(new CreateStateMachineCommand({ name: 'cni-fleet-test-upgrade-cluster', definition: pass, roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/test` }))).stateMachineArn!;
    loaded = await workflow.load(
      FleetFile.parse({
        settings: { updateSeconds: 60, secondsPerNode: 0 },
        clusters: [
          { name: 'broken', region: 'us-east-1', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM }, faults: [{ effect: 'POD_NOT_READY', toVersion: 'v1.21.*' }] },
          { name: 'untouched', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: FROM } },
        ],
      }),
    );
    await workflow.runCluster({ runId: 'up-broken', trigger: 'local', cluster: { name: 'broken', region: 'us-east-1' }, options: { target: TO } }, 'up-broken').catch(() => undefined);
    env = cleanEnv(dir, { ...moto.env, AWS_ENDPOINT_URL_DYNAMODB: workflow.dynamoEndpoint });
    stage = ['--table', loaded.tableName, '--cluster-state-machine-arn', machine];
  }, 120_000);
  afterAll(async () => {
    sfn?.destroy();
    await loaded?.close();
    await Promise.all([moto?.close(), workflow?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the cluster workflow with the last hop to undo; that input rolls the add-on back', async () => {
    // Act
    const result = await cli(['rollback', '--cluster', KEY, '--yes', '--reason', 'aws-node not Ready', ...stage, '--output', 'json'], env);
    const doc = JSON.parse(result.stdout) as { execution: { executionArn: string }; from: string; to: string; undoes: { runId: string; hop: number; outcome: string } };
    const started = await sfn.send(new DescribeExecutionCommand({ executionArn: doc.execution.executionArn }));
    const input = JSON.parse(started.input!) as Record<string, unknown>;
    await workflow.runCluster({ ...input, runId: 'rb-cli', trigger: 'local' }, 'rb-cli');
    const records = await loaded.store.getRunCluster('rb-cli', KEY);

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(doc).toMatchObject({ from: TO, to: FROM, undoes: { runId: 'up-broken', hop: 1, outcome: 'FAILED' } });
    expect(input).toEqual({ cluster: { name: 'broken', region: 'us-east-1', accountId: ACCOUNT }, rollback: { from: TO, to: FROM, reason: 'aws-node not Ready' }, trigger: 'cli' });
    expect(records?.cluster).toMatchObject({ status: 'UPGRADED', rollback: { ofRun: 'up-broken', hop: 1, from: TO, to: FROM } });
    expect(loaded.sim.cluster('broken')?.addon?.addonVersion).toBe(FROM);
  }, 60_000);

  it('refuses on one line, starting nothing: no hop recorded, a rollback of the rollback, no --yes without a terminal, a bad key', async () => {
    // Act
    const none = await cli(['rollback', '--cluster', `${ACCOUNT}/us-east-1/untouched`, '--yes', ...stage], env);
    const again = await cli(['rollback', '--cluster', KEY, '--yes', ...stage], env);
    const unconfirmed = await cli(['rollback', '--cluster', KEY, ...stage], env);
    const badKey = await cli(['rollback', '--cluster', 'broken', '--yes', ...stage], env);

    // Assess
    expect(none.code).toBe(1);
    expect(none.stderr.trim()).toBe(`cni-fleet rollback: Rollback of ${ACCOUNT}/us-east-1/untouched refused: no hop of this cluster is recorded in the progress table (nothing to roll back, or its records expired)`);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(/^cni-fleet rollback: Rollback of \S+ refused: its last change, run rb-cli hop 1 \(v1\.21\.1-eksbuild\.8 → v1\.20\.5-eksbuild\.1, SUCCEEDED\), was itself a rollback/);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr.trim()).toBe('cni-fleet rollback: --yes: is required when no terminal can confirm (stdin is not a terminal)');
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/^cni-fleet rollback: --cluster: "broken" is not accountId\/region\/clusterName/);
    for (const r of [none, again, unconfirmed, badKey]) expect(r.stdout).toBe('');
  });
});
