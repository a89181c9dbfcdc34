import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { startDynamo, type LocalDynamo } from '../../rehearsal/dynamo-server.js';
import { LOCAL_TABLE, rehearse, type RehearsalReport } from '../../rehearsal/rehearsal.js';
import type { RunProgress } from '../../lib/operator/run-progress.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checkExecutionInput, executionNameFor } from '../../lib/operator/execution-input-file.js';
import { StackNotFoundError, StackOutputMissingError } from '../../lib/operator/operator-errors.js';
import { renderRunProgress } from '../../lib/operator/render-progress.js';
import { readRunProgress } from '../../lib/operator/run-progress.js';
import { MACHINE_OUTPUT, StackOutput, readStackOutputs } from '../../lib/operator/stack-outputs.js';
import { startRun } from '../../lib/operator/start-run.js';
import { watchRun } from '../../lib/operator/watch-run.js';
import { createProgressStore } from '../../lib/store/progress-store.js';
import { MOTO_ACCOUNT, motoAvailable, startMoto, type TestMoto } from '../helpers/start-moto.js';
import { cleanEnv, cli, cliStreaming } from '../helpers/cli-process.js';

// `start` and `status` through the real CLI process: Step Functions and CloudFormation are moto_server's, the
// progress table is dynalite holding a real rehearsal's run (the same store the deployed Lambdas write).
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    { name: 'happy', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' } },
    { name: 'conflict', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*' }] },
  ],
});
const RUN_ID = 'cli-run-1';
const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/cni-fleet-test`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** The stage's one role in another account (its CrossAccountRoleArns). */
const STAGE_ROLE = 'arn:aws:iam::222233334444:role/cni-fleet-target';

describe.skipIf(!motoAvailable && !process.env['CI'])('cni-fleet start and status (moto_server Step Functions + CloudFormation)', () => {
  let dir: string;
  let moto: TestMoto;
  let sfn: SFNClient;
  let dynamo: LocalDynamo;
  let report: RehearsalReport;
  let fleetArn: string;
  let clusterArn: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-cli-'));
    const dataDir = join(dir, 'dynamo');
    [moto, report] = await Promise.all([
      startMoto(),
      rehearse({ fleet, speed: 2000, dataDir, runId: RUN_ID, options: { target: 'default', failureThreshold: 0 } }).then(async (r) => {
        await r.close();
        return r;
      }),
    ]);
    // The rehearsal's LevelDB folder, served again as "the deployed table" for the CLI to read over HTTP.
    dynamo = await startDynamo({ path: dataDir });
    sfn = new SFNClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    const create = async (name: string) => (await sfn.send(new CreateStateMachineCommand({ name, definition: PASS, roleArn: ROLE }))).stateMachineArn!;
    [fleetArn, clusterArn] = await Promise.all([create('cni-fleet-test-fleet'), create('cni-fleet-test-cluster')]);
    const cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    // The stack stands in for serverless.yml's: only its Outputs and its CrossAccountRoleArns parameter matter to
    // the CLI (the contract with it).
    await cfn.send(
      new CreateStackCommand({
        StackName: 'cni-fleet-test',
        TemplateBody: JSON.stringify({
          Parameters: { CrossAccountRoleArns: { Type: 'CommaDelimitedList', Default: STAGE_ROLE } },
          Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
          Outputs: {
            UpgradeFleetStateMachineArn: { Value: fleetArn },
            UpgradeClusterStateMachineArn: { Value: clusterArn },
            ProgressTableName: { Value: LOCAL_TABLE },
          },
        }),
      }),
    );
    cfn.destroy();
    env = cleanEnv(dir, { ...moto.env, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
  });

  afterAll(async () => {
    sfn?.destroy();
    await Promise.all([moto?.close(), dynamo?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const input = async (name: string, content: unknown): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(content));
    return file;
  };
  const executionsOf = async (stateMachineArn: string) => (await sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions ?? [];

  it('refuses a bad input file before any AWS call, naming the field', async () => {
    // Prepare
    const file = await input('bad.json', { runId: 'never-started', clusters: [{ name: 'happy', region: 'us-east-1x' }] });

    // Act
    const result = await cli(['start', '--stage', 'test', '--input', file], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('clusters[0].region: must be an AWS Region');
    expect(await executionsOf(fleetArn)).toEqual([]);
    expect(await executionsOf(clusterArn)).toEqual([]);
  });

  it('starts the fleet machine resolved from the stack outputs, named after the runId', async () => {
    // Prepare
    const file = await input('fleet.json', { runId: RUN_ID, clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })) });

    // Act
    const result = await cli(['start', '--stage', 'test', '--input', file], env);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const executionArn = `arn:aws:states:us-east-1:${MOTO_ACCOUNT}:execution:cni-fleet-test-fleet:${RUN_ID}`;
    expect(result.stdout).toContain(`Started fleet execution ${executionArn}`);
    expect(result.stdout).toContain(`https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${executionArn}`);
    const started = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(JSON.parse(started.input ?? '{}')).toEqual({ runId: RUN_ID, clusters: [{ name: 'happy', region: 'us-east-1' }, { name: 'conflict', region: 'eu-west-1' }], trigger: 'cli' });
  });

  it('stores a 10,000-cluster list (over the 256 KiB input) in the progress table and starts with a reference PlanLanes reads back', async () => {
    // Prepare: 10,000 clusters in 100 accounts, each with its role: about 1.3 MB of JSON.
    const clusters = Array.from({ length: 10_000 }, (_, i) => {
      const account = String(300000000000 + (i % 100));
      return { name: `c-${String(i).padStart(5, '0')}`, region: i % 2 ? 'eu-west-1' : 'us-east-1', accountId: account, roleArn: `arn:aws:iam::${account}:role/cni-fleet-target` };
    });
    const file = await input('fleet-10k.json', { runId: 'big-list', clusters });

    // Act
    const result = await cli(['start', '--stage', 'test', '--input', file], env);
    const executions = await executionsOf(fleetArn);
    const arn = executions.find((e) => e.name === 'big-list')?.executionArn;
    const started = arn ? await sfn.send(new DescribeExecutionCommand({ executionArn: arn })) : undefined;
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }));
    const stored = await createProgressStore({ doc, tableName: LOCAL_TABLE }).readClusterList('big-list', { parts: 20, count: 10_000 });
    doc.destroy();

    // Assess
    expect(result.stderr).toBe('Stored the 10000-cluster list in cni-fleet-local-progress under run big-list\n');
    expect(result.code).toBe(0);
    expect(JSON.parse(started?.input ?? '{}')).toEqual({ runId: 'big-list', clustersRef: { parts: 20, count: 10_000 }, trigger: 'cli' });
    expect(stored).toEqual(clusters);
  });

  it('startRun starts a given state machine; checkExecutionInput infers the cluster workflow', async () => {
    // Prepare
    const checked = checkExecutionInput(JSON.stringify({ cluster: { name: 'happy', region: 'us-east-1' }, options: { dryRun: true } }), 'cluster.json');

    // Act
    const started = await startRun(sfn, { stateMachineArn: clusterArn, name: executionNameFor({ runId: checked.runId, name: 'dry-happy' }), input: checked.input });

    // Assess
    expect(checked.machine).toBe('cluster');
    expect(started).toMatchObject({ name: 'dry-happy', stateMachineArn: clusterArn, executionArn: `arn:aws:states:us-east-1:${MOTO_ACCOUNT}:execution:cni-fleet-test-cluster:dry-happy` });
    expect(started.consoleUrl).toBe(`https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${started.executionArn}`);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(JSON.parse(described.input ?? '{}')).toEqual({ cluster: { name: 'happy', region: 'us-east-1' }, options: { dryRun: true }, trigger: 'cli' });
  });

  it('readStackOutputs reads the contract outputs and names what is missing', async () => {
    // Prepare
    const cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });

    // Act
    const stack = await readStackOutputs(cfn, 'test');
    const missing = readStackOutputs(cfn, 'nope');

    // Assess
    expect(stack.stackName).toBe('cni-fleet-test');
    expect(stack.require(MACHINE_OUTPUT.fleet)).toBe(fleetArn);
    expect(stack.require(MACHINE_OUTPUT.cluster)).toBe(clusterArn);
    expect(stack.require(StackOutput.PROGRESS_TABLE)).toBe(LOCAL_TABLE);
    await expect(missing).rejects.toThrow(StackNotFoundError);
    await expect(missing).rejects.toThrow('stack cni-fleet-nope not found in us-east-1');
    cfn.destroy();
  });

  it('readStackOutputs names a missing output', async () => {
    // Prepare
    const cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    await cfn.send(new CreateStackCommand({ StackName: 'cni-fleet-old', TemplateBody: JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } }) }));

    // Act
    const stack = await readStackOutputs(cfn, 'old');

    // Assess
    expect(() => stack.require(StackOutput.CLUSTER_STATE_MACHINE)).toThrow(StackOutputMissingError);
    expect(() => stack.require(StackOutput.CLUSTER_STATE_MACHINE)).toThrow('stack cni-fleet-old (CREATE_COMPLETE) has no output UpgradeClusterStateMachineArn');
    cfn.destroy();
  });

  it('status --json with --profile: the execution plus every cluster of the run from the progress table', async () => {
    // Prepare: credentials only in a named profile of the shared files, as an operator's machine has them.
    const executionArn = `arn:aws:states:us-east-1:${MOTO_ACCOUNT}:execution:cni-fleet-test-fleet:${RUN_ID}`;
    await writeFile(join(dir, 'credentials'), '[ops]\naws_access_key_id = test\naws_secret_access_key = test\n');
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = env;

    // Act
    const result = await cli(['status', executionArn, '--stage', 'test', '--json', '--profile', 'ops'], { ...withoutKeys, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunProgress & { consoleUrl: string };
    expect(doc.execution).toMatchObject({ executionArn, status: 'RUNNING', name: RUN_ID });
    expect(doc.runId).toBe(RUN_ID);
    expect(doc.progressTable).toBe(LOCAL_TABLE);
    expect(doc.run?.status).toBe('FAILED');
    const happy = report.clusters.find((c) => c.name === 'happy')!;
    const byName = Object.fromEntries(doc.clusters.map((c) => [c.name, c]));
    expect(byName['happy']).toMatchObject({ status: 'UPGRADED', hopsDone: 2, hopCount: 2, from: 'v1.19.6-eksbuild.7', target: 'v1.21.1-eksbuild.8', version: 'v1.21.1-eksbuild.8' });
    expect(byName['happy']?.hops.map((h) => h.updateId)).toEqual(happy.hops.map((h) => h.updateId));
    expect(byName['conflict']).toMatchObject({ status: 'FAILED', hopsDone: 0, error: { name: 'AddonUpdateFailedError' } });
    expect(doc.totals).toMatchObject({ clusters: 2, done: 2, hopsDone: 2, hopCount: 3, byStatus: { UPGRADED: 1, FAILED: 1 } });
  });

  it('readRunProgress of a cluster execution shows only its cluster; the table shows hop n/m and outcomes', async () => {
    // Prepare: a cluster execution sharing the fleet run's id, as the fleet's child executions do.
    const child = await startRun(sfn, { stateMachineArn: clusterArn, name: 'child-conflict', input: { runId: RUN_ID, cluster: { name: 'conflict', region: 'eu-west-1' }, trigger: 'fleet' } });
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials }));
    const store = createProgressStore({ doc, tableName: LOCAL_TABLE });

    // Act
    const fleetView = await readRunProgress({ sfn, store, progressTable: LOCAL_TABLE, executionArn: `arn:aws:states:us-east-1:${MOTO_ACCOUNT}:execution:cni-fleet-test-fleet:${RUN_ID}` });
    const childView = await readRunProgress({ sfn, store, progressTable: LOCAL_TABLE, executionArn: child.executionArn });
    const text = renderRunProgress(fleetView, { color: false });

    // Assess
    expect(childView.runId).toBe(RUN_ID);
    expect(childView.clusters.map((c) => c.name)).toEqual(['conflict']);
    expect(childView.clusters[0]?.hops[0]).toMatchObject({ index: 1, outcome: 'FAILED', error: { name: 'AddonUpdateFailedError', code: 'ConfigurationConflict' } });
    expect(text).toMatch(/Status\s+RUNNING/);
    expect(text).toMatch(/Clusters\s+2\/2 done, hops 2\/3/);
    expect(text).toMatch(/happy\s+│ UPGRADED\s+│ 2\/2/);
    expect(text).toMatch(/conflict\s+│ FAILED\s+│ 0\/1/);
    doc.destroy();
  });

  it('status --watch follows until the execution ends, then exits 3 for an aborted run', async () => {
    // Prepare
    const { executionArn } = await startRun(sfn, { stateMachineArn: fleetArn, name: 'watched-1', input: { runId: 'watched-1', clusters: [{ name: 'happy', region: 'us-east-1' }] } });
    let stopped: Promise<unknown> | undefined;

    // Act: stop the execution once the watcher has reported it RUNNING (moto's executions run until stopped).
    const result = await cliStreaming(['status', executionArn, '--stage', 'test', '--watch', '--interval', '0.2'], env, (soFar) => {
      if (!stopped && soFar.includes('execution watched-1: RUNNING')) stopped = sfn.send(new StopExecutionCommand({ executionArn, error: 'OperatorStop', cause: 'test' }));
    });
    await stopped;

    // Assess
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('execution watched-1: RUNNING');
    expect(result.stderr).toContain('execution watched-1: ABORTED');
    expect(result.stdout).toMatch(/Status\s+ABORTED/);
    expect(result.stdout).toContain('No cluster of run watched-1');
  });

  it('watchRun stops after maxPolls while the execution still runs', async () => {
    // Prepare
    const executionArn = `arn:aws:states:us-east-1:${MOTO_ACCOUNT}:execution:cni-fleet-test-fleet:${RUN_ID}`;
    const seen: string[] = [];

    // Act
    const result = await watchRun(() => readRunProgress({ sfn, executionArn }), { intervalMs: 10, maxPolls: 3, onUpdate: (p) => seen.push(p.execution?.status ?? '') });

    // Assess
    expect(result.ended).toBe(false);
    expect(seen).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    expect(result.progress.progressTable).toBeNull();
    expect(renderRunProgress(result.progress, { color: false })).toContain('pass --stage or --table');
  });
  it('refuses a cluster in another account that no role of the stage reaches, naming the field, and starts none', async () => {
    // Prepare: 222233334444 is reached through the stage's role, 555566667777 through none.
    const reached = await input('reached.json', { runId: 'other-account-1', cluster: { name: 'happy', region: 'us-east-1', accountId: '222233334444' } });
    const unreached = await input('unreached.json', {
      runId: 'never-started-2',
      clusters: [
        { name: 'happy', region: 'us-east-1' },
        { name: 'happy', region: 'us-east-1', accountId: '555566667777' },
      ],
    });

    // Act
    const refused = await cli(['start', '--stage', 'test', '--input', unreached], env);
    const started = await cli(['start', '--stage', 'test', '--input', reached], env);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`clusters[1].roleArn: is required for a cluster in account 555566667777, outside this deployment's account ${MOTO_ACCOUNT}`);
    expect((await executionsOf(fleetArn)).map((e) => e.name)).not.toContain('never-started-2');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect((await executionsOf(clusterArn)).map((e) => e.name)).toContain('other-account-1');
  });

});

describe.skipIf(!motoAvailable)('cni-fleet start --wait (moto_server running the definition)', () => {
  let dir: string;
  let moto: TestMoto;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-wait-'));
    moto = await startMoto({ executeStateMachines: true });
  });
  afterAll(async () => {
    await moto?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('follows the execution to SUCCEEDED and exits 0 with one JSON document', async () => {
    // Prepare
    const sfn = new SFNClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'cni-fleet-wait-cluster', definition: PASS, roleArn: ROLE }));
    sfn.destroy();
    const file = join(dir, 'one.json');
    await writeFile(file, JSON.stringify({ runId: 'waited-1', cluster: { name: 'happy', region: 'us-east-1' } }));

    // Act
    const result = await cli(['start', '--input', file, '--state-machine-arn', stateMachineArn!, '--wait', '--interval', '0.2', '--json'], cleanEnv(dir, moto.env));

    // Assess
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunProgress & { machine: string; consoleUrl: string };
    expect(doc.machine).toBe('cluster');
    expect(doc.execution).toMatchObject({ name: 'waited-1', status: 'SUCCEEDED' });
    expect(doc.runId).toBe('waited-1');
    expect(doc.progressTable).toBeNull();
    expect(result.stderr).toContain('execution waited-1: SUCCEEDED');
  });
});
