import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { startDynamo, type LocalDynamo } from '../../rehearsal/dynamo-server.js';
import { LOCAL_TABLE, rehearse } from '../../rehearsal/rehearsal.js';
import type { RunSummary } from '../../lib/operator/list-runs.js';
import type { RunProgress } from '../../lib/operator/run-progress.js';
import { MOTO_ACCOUNT, motoAvailable, startMoto, type TestMoto } from '../helpers/start-moto.js';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// The fleet view of a deployed stage through the compiled CLI: Step Functions and CloudFormation are
// moto_server's, the progress table is dynalite holding a real rehearsal's run (what the deployed Lambdas write).
// Under CI=true a missing moto_server fails these tests instead of skipping them.
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    // In the stage's own account (moto's), so a retry needs no role.
    { name: 'happy', region: 'us-east-1', accountId: MOTO_ACCOUNT, kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' } },
    { name: 'conflict', region: 'eu-west-1', accountId: MOTO_ACCOUNT, kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*' }] },
  ],
});
const RUN_ID = 'weekly-2026-49';
const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/cni-fleet-test`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe.skipIf(!motoAvailable && process.env['CI'] !== 'true')('cni-fleet runs, status RUN, report and retry against a deployed stage (moto_server)', () => {
  let dir: string;
  let moto: TestMoto;
  let sfn: SFNClient;
  let dynamo: LocalDynamo;
  let fleetArn: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-view-'));
    const dataDir = join(dir, 'dynamo');
    const selection = { clusters: [{ name: 'happy', region: 'us-east-1' }, { name: 'conflict', region: 'eu-west-1', accountId: MOTO_ACCOUNT }] };
    [moto] = await Promise.all([
      startMoto(),
      rehearse({ fleet, speed: 2000, dataDir, runId: RUN_ID, selection, options: { failureThreshold: 0 } }).then((r) => r.close()),
    ]);
    dynamo = await startDynamo({ path: dataDir });
    sfn = new SFNClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    const create = async (name: string) => (await sfn.send(new CreateStateMachineCommand({ name, definition: PASS, roleArn: ROLE }))).stateMachineArn!;
    const [fleetMachine, clusterMachine] = await Promise.all([create('cni-fleet-view-upgrade-fleet'), create('cni-fleet-view-upgrade-cluster')]);
    fleetArn = fleetMachine;
    const cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'cni-fleet-view',
        TemplateBody: JSON.stringify({
          Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
          Outputs: { UpgradeFleetStateMachineArn: { Value: fleetArn }, UpgradeClusterStateMachineArn: { Value: clusterMachine }, ProgressTableName: { Value: LOCAL_TABLE } },
        }),
      }),
    );
    cfn.destroy();
    // The run's execution, named after its run id as `start` names it.
    await sfn.send(new StartExecutionCommand({ stateMachineArn: fleetArn, name: RUN_ID, input: JSON.stringify({ runId: RUN_ID, ...selection }) }));
    env = cleanEnv(dir, { ...moto.env, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
  });
  afterAll(async () => {
    sfn?.destroy();
    await Promise.all([moto?.close(), dynamo?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists recent runs with their clusters counted by outcome; --status and --since filter', async () => {
    // Act
    const all = await cli(['runs', '--stage', 'view', '--output', 'json'], env);
    const failed = await cli(['runs', '--stage', 'view', '--status', 'FAILED', '--output', 'json'], env);
    const future = await cli(['runs', '--stage', 'view', '--since', '2999-01-01'], env);
    const recent = await cli(['runs', '--stage', 'view', '--since', '1h'], env);

    // Assess
    expect(all.stderr).toBe('');
    const runs = (JSON.parse(all.stdout) as { runs: RunSummary[] }).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId: RUN_ID, status: 'RUNNING', runStatus: 'FAILED', clusters: 2, byStatus: { UPGRADED: 1, FAILED: 1 } });
    expect(runs[0]!.executionArn).toBe(`arn:aws:states:us-east-1:${MOTO_ACCOUNT}:execution:cni-fleet-view-upgrade-fleet:${RUN_ID}`);
    expect((JSON.parse(failed.stdout) as { runs: RunSummary[] }).runs).toEqual([]);
    expect(future.stdout).toBe('No runs.\n');
    expect(recent.stdout).toContain(RUN_ID);
  });

  it('shows a run by its id with --stage, only the FAILED clusters with --only', async () => {
    // Act
    const result = await cli(['status', RUN_ID, '--stage', 'view', '--only', 'FAILED', '--output', 'json'], env);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunProgress;
    expect(doc.execution?.name).toBe(RUN_ID);
    expect(doc.clusters.map((c) => [c.name, c.status, c.version])).toEqual([['conflict', 'FAILED', 'v1.20.5-eksbuild.1']]);
    expect(doc.totals).toMatchObject({ clusters: 1, byStatus: { FAILED: 1 } });
  });

  it('refuses a run id no workflow of the stage knows, in one line', async () => {
    // Act
    const result = await cli(['status', 'never-ran', '--stage', 'view'], env);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('cni-fleet status: no run never-ran in stack cni-fleet-view: `cni-fleet runs` lists the runs\n');
  });

  it('writes the deployed run\'s HTML report from the progress table', async () => {
    // Prepare
    const out = join(dir, 'weekly.html');

    // Act
    const result = await cli(['report', RUN_ID, '--stage', 'view', '--out', out], env);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain(`<title>cni-fleet run ${RUN_ID}</title>`);
    expect(html).toContain('<div class="name">happy</div>');
    expect(html).toContain('<div class="name">conflict</div>');
    // Failures first.
    expect(html.indexOf('<div class="name">conflict</div>')).toBeLessThan(html.indexOf('<div class="name">happy</div>'));
  });

  it('retries the FAILED clusters: writes and validates the input, then starts it on the fleet workflow', async () => {
    // Prepare
    const out = join(dir, 'retry.json');
    const written = join(dir, 'retry-only.json');

    // Act
    const writeOnly = await cli(['retry', RUN_ID, '--stage', 'view', '--out', written, '--write-only'], env);
    const before = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: fleetArn }))).executions ?? [];
    const result = await cli(['retry', RUN_ID, '--stage', 'view', '--out', out, '--name', 'weekly-2026-49-retry', '--output', 'json'], env);

    // Assess
    expect(writeOnly.code).toBe(0);
    expect(existsSync(written)).toBe(true);
    expect(before).toHaveLength(1);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expected = {
      clusters: [{ name: 'conflict', region: 'eu-west-1', accountId: MOTO_ACCOUNT }],
      options: expect.objectContaining({ failureThreshold: 0 }),
      trigger: 'cli',
    };
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(expected);
    const started = JSON.parse(result.stdout) as { executionArn: string };
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described.name).toBe('weekly-2026-49-retry');
    expect(JSON.parse(described.input ?? '{}')).toEqual(expected);
  });
});
