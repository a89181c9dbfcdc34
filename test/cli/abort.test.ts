import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandler } from '../../functions/cleanup-execution.js';
import { localNotifier } from '../../lib/controls/notifier.js';
import { createAwsClients } from '../../lib/aws/clients.js';
import type { AbortOutcome } from '../../lib/operator/abort-run.js';
import { clusterMachineOf } from '../../lib/operator/abort-run.js';
import { newCatalogueCache } from '../../lib/addon/eks-catalogue.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { createProgressStore, type ProgressStore } from '../../lib/store/progress-store.js';
import { startTestDynamo, type TestDynamo } from '../helpers/start-dynamo.js';
import { MOTO_ACCOUNT, motoAvailable, startMoto, type TestMoto } from '../helpers/start-moto.js';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// `cni-fleet abort` through the real CLI process against moto_server's Step Functions and CloudFormation (its
// executions stay RUNNING until stopped) and a progress table in dynalite. What AWS does on each execution's end,
// EventBridge delivering "Execution Status Change" to the cleanup Lambda, cannot run here: the test plays
// EventBridge, handing the real cleanup handler the event of every execution that became ABORTED.
const PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/cni-fleet-test`;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const ACCOUNT = '111122223333';
const keyOf = (name: string) => `${ACCOUNT}/us-east-1/${name}`;

// CI must not pass by skipping: there moto_server is part of the image, and its absence is a failure.
describe.skipIf(!motoAvailable && process.env['CI'] !== 'true')('cni-fleet abort (moto_server Step Functions + CloudFormation, dynalite)', () => {
  let dir: string;
  let moto: TestMoto;
  let dynamo: TestDynamo;
  let sfn: SFNClient;
  let store: ProgressStore;
  let fleetMachine: string;
  let clusterMachine: string;
  let env: NodeJS.ProcessEnv;
  /** The stand-in for the cleanup rule: delivers each newly ABORTED execution's event to the real handler. */
  let eventBridge: { stop(): Promise<void>; delivered: string[] } | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-abort-'));
    [moto, dynamo] = await Promise.all([startMoto(), startTestDynamo()]);
    sfn = new SFNClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    const create = async (name: string) => (await sfn.send(new CreateStateMachineCommand({ name, definition: PASS, roleArn: ROLE }))).stateMachineArn!;
    [fleetMachine, clusterMachine] = await Promise.all([create('cni-fleet-test-upgrade-fleet'), create('cni-fleet-test-upgrade-cluster')]);
    const cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'cni-fleet-test',
        TemplateBody: JSON.stringify({
          Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
          Outputs: { UpgradeFleetStateMachineArn: { Value: fleetMachine }, UpgradeClusterStateMachineArn: { Value: clusterMachine }, ProgressTableName: { Value: dynamo.tableName } },
        }),
      }),
    );
    cfn.destroy();
    store = createProgressStore({ doc: dynamo.doc, tableName: dynamo.tableName });
    env = cleanEnv(dir, { ...moto.env, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
  });
  afterAll(async () => {
    await eventBridge?.stop();
    sfn?.destroy();
    await Promise.all([moto?.close(), dynamo?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Starts delivering ABORTED events of both machines to the cleanup handler, as the stage's rule would. */
  function startEventBridge(): NonNullable<typeof eventBridge> {
    // The cleanup calls neither EKS nor CloudWatch: their clients point nowhere.
    const clients = createAwsClients({ region: 'us-east-1', eksEndpoint: 'http://127.0.0.1:9', cloudWatchEndpoint: 'http://127.0.0.1:9', credentials });
    const deps: StepDeps = {
      eksFor: clients.eksFor,
      store,
      now: () => new Date(),
      accountId: ACCOUNT,
      cache: newCatalogueCache(),
      cloudWatchFor: clients.cloudWatchFor,
      region: 'us-east-1',
      notifier: localNotifier(),
    };
    const handler = buildHandler(() => deps);
    const delivered: string[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        for (const stateMachineArn of [clusterMachine, fleetMachine]) {
          for (const e of (await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }))).executions ?? []) {
            if (delivered.includes(e.executionArn!)) continue;
            const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn! }));
            const detail = { executionArn: d.executionArn, stateMachineArn: d.stateMachineArn, name: d.name, status: d.status, input: d.input };
            await handler({ version: '0', source: 'aws.states', 'detail-type': 'Step Functions Execution Status Change', detail }, { functionName: 'cleanupExecution' } as Context);
            delivered.push(e.executionArn!);
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    return {
      delivered,
      async stop() {
        running = false;
        await loop;
      },
    };
  }

  /** A fleet run mid-wave, as the deployed workflows would have recorded it: one child running, one pending, one done. */
  async function runningFleet(runId: string) {
    const clusters = ['in-flight', 'waiting', 'done'].map((name) => ({ name, region: 'us-east-1', accountId: ACCOUNT }));
    const fleet = await sfn.send(new StartExecutionCommand({ stateMachineArn: fleetMachine, name: runId, input: JSON.stringify({ runId, clusters, trigger: 'cli' }) }));
    const child = await sfn.send(new StartExecutionCommand({ stateMachineArn: clusterMachine, name: `${runId}-child`, input: JSON.stringify({ runId, cluster: clusters[0], trigger: 'fleet' }) }));
    const other = await sfn.send(new StartExecutionCommand({ stateMachineArn: clusterMachine, name: `${runId}-other-run`, input: JSON.stringify({ runId: 'another-run', cluster: { ...clusters[1], name: `elsewhere-${runId}` }, trigger: 'fleet' }) }));
    await store.putRun({ runId, input: { clusters }, trigger: 'cli' });
    for (const c of clusters) await store.putCluster(runId, { accountId: ACCOUNT, region: 'us-east-1', clusterName: c.name });
    await store.acquireLock(keyOf('in-flight'), child.executionArn!, 3600, new Date(), runId);
    await store.updateCluster(runId, keyOf('in-flight'), { status: 'RUNNING', step: 'PollHop', currentHop: 1 });
    await store.startHop(runId, keyOf('in-flight'), { index: 1, fromVersion: 'v1.19.6-eksbuild.7', version: 'v1.20.5-eksbuild.1', kind: 'minor', updateId: 'u-1' });
    await store.updateCluster(runId, keyOf('done'), { status: 'UPGRADED' });
    await store.acquireLock(keyOf(`elsewhere-${runId}`), other.executionArn!, 3600, new Date(), 'another-run');
    return { fleetArn: fleet.executionArn!, childArn: child.executionArn!, otherArn: other.executionArn! };
  }

  const statusOf = async (executionArn: string) => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;

  it('stops the fleet execution and its run’s cluster executions, waits for the cleanup, and leaves other runs alone', async () => {
    // Prepare
    const { fleetArn, childArn, otherArn } = await runningFleet('abort-run-1');
    eventBridge = startEventBridge();

    // Act
    const result = await cli(['abort', fleetArn, '--stage', 'test', '--interval', '0.2', '--timeout', '60', '--json'], env);
    await eventBridge.stop();

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout) as AbortOutcome;
    expect(outcome).toMatchObject({ executionArn: fleetArn, runId: 'abort-run-1', statusBefore: 'RUNNING', stopped: [fleetArn, childArn] });
    expect(outcome.cleanup).toMatchObject({ done: true, runStatus: 'ABORTED', byStatus: { ABORTED: 2, UPGRADED: 1 }, open: [], locksHeld: [] });
    expect([await statusOf(fleetArn), await statusOf(childArn), await statusOf(otherArn)]).toEqual(['ABORTED', 'ABORTED', 'RUNNING']);
    expect(await store.getLock(keyOf('in-flight'))).toBeNull();
    expect(await store.getLock(keyOf('elsewhere-abort-run-1'))).toMatchObject({ owner: otherArn });
    const records = await store.getRunCluster('abort-run-1', keyOf('in-flight'));
    expect(records?.cluster).toMatchObject({ status: 'ABORTED', error: { name: 'ExecutionAborted' } });
    expect(records?.hops.map((h) => h.outcome)).toEqual(['ABORTED']);
    expect(await store.getCluster('abort-run-1', keyOf('done'))).toMatchObject({ status: 'UPGRADED' });
    expect(await store.getRun('abort-run-1')).toMatchObject({ status: 'ABORTED' });
  });

  it('says on one line, exit 1, when the cleanup does not come (no cleanup rule deployed)', async () => {
    // Prepare: nobody delivers the events.
    const { fleetArn } = await runningFleet('abort-run-2');

    // Act
    const result = await cli(['abort', fleetArn, '--stage', 'test', '--interval', '0.2', '--timeout', '1'], env);

    // Assess: both executions are stopped all the same; what is still open is named.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Stopped 2 execution(s): abort-run-2, abort-run-2-child.');
    const failure = result.stderr.split('\n').filter((l) => l.startsWith('cni-fleet abort:'));
    expect(failure).toEqual([expect.stringMatching(/^cni-fleet abort: the cleanup was not seen within 1 s \(run RUNNING; open: .*in-flight.*; locked: 111122223333\/us-east-1\/in-flight\); check that the stage's cleanup rule/)]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad ARN before anything is stopped (exit 2), and finds the cluster workflow by name without --stage', async () => {
    // Act
    const bad = await cli(['abort', 'arn:aws:states:us-east-1:123:execution:x', '--stage', 'test'], env);

    // Assess
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('cni-fleet abort: EXECUTION_ARN: "arn:aws:states:us-east-1:123:execution:x" is not a Step Functions execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME)');
    expect(clusterMachineOf(`arn:aws:states:eu-west-1:${ACCOUNT}:execution:cni-fleet-prod-upgrade-fleet:weekly-1`)).toBe(`arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:cni-fleet-prod-upgrade-cluster`);
    expect(() => clusterMachineOf(`arn:aws:states:eu-west-1:${ACCOUNT}:execution:my-machine:weekly-1`)).toThrow('--stage');
  });
});
