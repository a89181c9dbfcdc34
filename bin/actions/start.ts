import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { InputValidationError } from '../../lib/errors.js';
import { formatResult } from '../../lib/cli/output.js';
import { requireRegion, sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { checkExecutionInput, checkTargetAccounts, executionNameFor, type CheckedExecutionInput } from '../../lib/operator/execution-input-file.js';
import { openAwsProgress } from '../../lib/operator/progress-source.js';
import { MACHINE_OUTPUT, StackOutput, deploymentOf, readStackOutputs, type StackOutputs } from '../../lib/operator/stack-outputs.js';
import { startRun } from '../../lib/operator/start-run.js';
import { needsStoredList, storeClusterList } from '../../lib/operator/stored-list.js';
import { ExitCode, type CommandIo, type AwsCommandOptions } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, intervalOption, readOptionFile, runCommand } from './common.js';
import { followRun } from './status.js';

/** The options of `cni-fleet start` as commander parses them (bin/commands/start.ts declares them). */
export interface StartOptions extends AwsCommandOptions {
  input: string;
  stage?: string;
  machine?: 'fleet' | 'cluster';
  name?: string;
  stateMachineArn?: string;
  table?: string;
  wait?: boolean;
  interval: string;
}

// arn:<partition>:states:<region>:<account>:stateMachine:<name>
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** What `startChecked` needs beyond the checked input; `retry` starts its input the same way. */
export interface StartRequest {
  readonly checked: CheckedExecutionInput;
  /** The input's file, for messages. */
  readonly file: string;
  readonly name: string;
  readonly options: Pick<StartOptions, 'stage' | 'stateMachineArn' | 'table' | 'wait' | 'region' | 'profile' | 'endpointUrl' | 'debug' | 'output' | 'json' | 'query' | 'color'>;
  readonly intervalMs: number;
}

/**
 * Starts a checked execution input on the stage's (or the given) state machine and prints where it runs; with
 * `wait`, follows it until it ends.
 */
export async function startChecked(request: StartRequest, io: CommandIo): Promise<number> {
  const { checked, options } = request;
  const output = await commandOutput(options, io);
  if (options.stage === undefined && options.stateMachineArn === undefined) throw new InputValidationError('--stage', 'is required (or pass --state-machine-arn)');
  let arnRegion: string | undefined;
  if (options.stateMachineArn !== undefined) {
    const match = STATE_MACHINE_ARN.exec(options.stateMachineArn);
    if (!match) throw new InputValidationError('--state-machine-arn', `"${options.stateMachineArn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`);
    arnRegion = match[1];
  }
  const aws = awsOptions(options, arnRegion);
  const sfn = new SFNClient(sdkClientConfig(aws));
  let cfn: CloudFormationClient | undefined;
  try {
    await requireRegion(() => sfn.config.region());
    let stack: StackOutputs | undefined;
    if (options.stage !== undefined && (options.stateMachineArn === undefined || (options.wait && options.table === undefined))) {
      cfn = new CloudFormationClient(sdkClientConfig(aws));
      stack = await readStackOutputs(cfn, options.stage);
    }
    const stateMachineArn = options.stateMachineArn ?? stack!.require(MACHINE_OUTPUT[checked.machine]);
    // With the stage's stack at hand, the deployment is known (its account, the roles of CrossAccountRoleArns): a
    // cluster in another account that no role reaches is refused here, before StartExecution, as the workflow would.
    if (stack) checkTargetAccounts(checked, request.file, deploymentOf(stateMachineArn, stack));
    let input = checked.input;
    if (checked.machine === 'fleet' && needsStoredList(input)) {
      // Too big for the fleet's first state: the list goes to the progress table under the run id, the input names
      // it (lib/operator/stored-list.ts; PlanLanes reads it back).
      if (stack === undefined && options.stage !== undefined && options.table === undefined) {
        cfn ??= new CloudFormationClient(sdkClientConfig(aws));
        stack = await readStackOutputs(cfn, options.stage);
      }
      const listTable = options.table ?? stack?.require(StackOutput.PROGRESS_TABLE);
      if (listTable === undefined) throw new InputValidationError('--table', 'is needed to store a list too big for the execution input (or pass --stage)');
      const target = await openAwsProgress(listTable, aws);
      try {
        input = await storeClusterList(target.store, request.name, input);
      } finally {
        await target.close();
      }
      if (output.format === 'table') io.err(`Stored the ${String((input['clustersRef'] as { count: number }).count)}-cluster list in ${listTable} under run ${request.name}\n`);
    }
    const started = await startRun(sfn, { stateMachineArn, name: request.name, input });
    const document = { machine: checked.machine, ...started };
    if (!options.wait) {
      io.out(
        formatResult(document, output, () => `Started ${checked.machine} execution ${started.executionArn}\nConsole: ${started.consoleUrl}\nFollow:  cni-fleet status ${started.executionArn}${options.stage ? ` --stage ${options.stage}` : ''} --watch\n`),
      );
      return ExitCode.OK;
    }
    if (output.format === 'table') io.out(`Started ${checked.machine} execution ${started.executionArn}\nConsole: ${started.consoleUrl}\n`);
    const tableName = options.table ?? stack?.require(StackOutput.PROGRESS_TABLE);
    const progress = tableName === undefined ? undefined : await openAwsProgress(tableName, aws);
    try {
      return await followRun({ sfn, progress, executionArn: started.executionArn, output, intervalMs: request.intervalMs, io, extra: { machine: checked.machine, consoleUrl: started.consoleUrl } });
    } finally {
      await progress?.close();
    }
  } finally {
    sfn.destroy();
    cfn?.destroy();
  }
}

/** `cni-fleet start`: exit 0 started, 1 failure, 2 bad input (no AWS call), 3/130 with --wait. */
export async function runStart(options: StartOptions, io: CommandIo): Promise<number> {
  return runCommand(io, 'start', options, async () => {
    // Everything that can be checked locally is checked before the first client exists.
    await commandOutput(options, io);
    const intervalMs = intervalOption(options.interval);
    const checked = checkExecutionInput(await readOptionFile(options.input, '--input'), options.input, options.machine);
    const name = executionNameFor({ runId: checked.runId, name: options.name });
    return startChecked({ checked, file: options.input, name, options, intervalMs }, io);
  });
}
