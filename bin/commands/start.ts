import { readFile } from 'node:fs/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Option, type Command } from 'commander';
import { InputValidationError } from '../../lib/errors.js';
import { requireRegion, resolveOutputFormat, sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { checkExecutionInput, checkTargetAccounts, executionNameFor } from '../../lib/operator/execution-input-file.js';
import { openAwsProgress } from '../../lib/operator/progress-source.js';
import { MACHINE_OUTPUT, StackOutput, deploymentOf, readStackOutputs, type Machine, type StackOutputs } from '../../lib/operator/stack-outputs.js';
import { startRun } from '../../lib/operator/start-run.js';
import { needsStoredList, storeClusterList } from '../../lib/operator/stored-list.js';
import { ENDPOINT_HELP, ExitCode, addAwsOptions, intervalOption, processIo, reportError, type AwsCommandOptions, type CommandIo } from './cli-helpers.js';
import { followRun } from './status.js';

interface StartOptions extends AwsCommandOptions {
  input: string;
  stage?: string;
  machine?: Machine;
  name?: string;
  stateMachineArn?: string;
  table?: string;
  wait?: boolean;
  interval: string;
}

// arn:<partition>:states:<region>:<account>:stateMachine:<name>
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/**
 * Registers `cni-fleet start`: validates an execution input file locally, then starts the fleet or cluster
 * workflow of a deployed stage (StartExecution) and optionally follows it.
 *
 * @example
 * registerStart(new Command('cni-fleet')); // cni-fleet start --stage prod --input examples/inputs/cluster-one.json --wait
 */
export function registerStart(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('start')
    .summary('start a fleet or cluster upgrade execution in AWS Step Functions')
    .description(
      'Validate an execution input file with the workflow\'s own schema (nothing is called when it is bad), resolve the ' +
        'state machine from the stage\'s CloudFormation stack (cni-fleet-STAGE, outputs UpgradeFleetStateMachineArn / ' +
        'UpgradeClusterStateMachineArn), and start an execution named after the input\'s runId, so the progress table\'s ' +
        'run id and the execution name are the same. An input without "trigger" is started with "trigger": "cli".',
    )
    .requiredOption('--input <file>', 'execution input (JSON): FleetExecutionInput or ClusterExecutionInput, see README "Execution input"')
    .addOption(new Option('--stage <stage>', 'deployed stage: the stack is cni-fleet-STAGE').env('CNI_FLEET_STAGE'))
    .addOption(new Option('--machine <machine>', 'which workflow (default: "cluster" when the input has a "cluster" member, else "fleet")').choices(['fleet', 'cluster']))
    .option('--name <name>', 'execution name when the input has no runId (default: cli-<UTC time>-<random>)')
    .option('--state-machine-arn <arn>', 'start this state machine instead of reading the stack (no CloudFormation call)')
    .addOption(new Option('--table <name>', 'progress table for --wait (default: the stack output ProgressTableName)').env('CNI_FLEET_TABLE'))
    .option('--wait', 'follow the execution live until it ends, as `status --watch` does')
    .option('--interval <seconds>', 'seconds between reads while waiting', '5');
  addAwsOptions(command, 'of the stack and state machine')
    .addHelpText(
      'after',
      `${ENDPOINT_HELP}\nExit codes: 0 started (with --wait: and SUCCEEDED), 1 AWS or other failure, 2 bad input (nothing was started),\n` +
        '  3 with --wait: the execution ended FAILED, TIMED_OUT or ABORTED, 130 interrupted while waiting (the execution goes on).\n' +
        '\nExamples:\n' +
        '  cni-fleet start --stage dev --input examples/inputs/cluster-one.json\n' +
        '  cni-fleet start --stage prod --input fleet.json --wait --region eu-west-1 --profile prod\n' +
        '  cni-fleet start --input fleet.json --state-machine-arn arn:aws:states:eu-west-1:111122223333:stateMachine:cni-fleet-dev-fleet --output json',
    )
    .action(async (options: StartOptions) => {
      io.exit(await runStart(options, io));
    });
}

async function runStart(options: StartOptions, io: CommandIo): Promise<number> {
  let sfn: SFNClient | undefined;
  let cfn: CloudFormationClient | undefined;
  try {
    // Everything that can be checked locally is checked before the first client exists.
    const format = resolveOutputFormat(options, process.env);
    const interval = intervalOption(options.interval);
    if (options.stage === undefined && options.stateMachineArn === undefined) throw new InputValidationError('--stage', 'is required (or pass --state-machine-arn)');
    let arnRegion: string | undefined;
    if (options.stateMachineArn !== undefined) {
      const match = STATE_MACHINE_ARN.exec(options.stateMachineArn);
      if (!match) throw new InputValidationError('--state-machine-arn', `"${options.stateMachineArn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`);
      arnRegion = match[1];
    }
    let text: string;
    try {
      text = await readFile(options.input, 'utf8');
    } catch (error) {
      throw new InputValidationError('--input', `cannot read "${options.input}": ${(error as Error).message}`, { cause: error });
    }
    const checked = checkExecutionInput(text, options.input, options.machine);
    const name = executionNameFor({ runId: checked.runId, name: options.name });

    const aws = { region: options.region ?? arnRegion, profile: options.profile };
    sfn = new SFNClient(sdkClientConfig(aws));
    await requireRegion(() => sfn!.config.region());
    let stack: StackOutputs | undefined;
    if (options.stage !== undefined && (options.stateMachineArn === undefined || (options.wait && options.table === undefined))) {
      cfn = new CloudFormationClient(sdkClientConfig(aws));
      stack = await readStackOutputs(cfn, options.stage);
    }
    const stateMachineArn = options.stateMachineArn ?? stack!.require(MACHINE_OUTPUT[checked.machine]);
    // With the stage's stack at hand, the deployment is known (its account, the roles of CrossAccountRoleArns): a
    // cluster in another account that no role reaches is refused here, before StartExecution, as the workflow would.
    if (stack) checkTargetAccounts(checked, options.input, deploymentOf(stateMachineArn, stack));
    let input = checked.input;
    if (checked.machine === 'fleet' && needsStoredList(input)) {
      // Too big for StartExecution: the list goes to the progress table under the run id, the input names it.
      stack ??= options.stage !== undefined && options.table === undefined ? await readStackOutputs((cfn = new CloudFormationClient(sdkClientConfig(aws))), options.stage) : undefined;
      const listTable = options.table ?? stack?.require(StackOutput.PROGRESS_TABLE);
      if (listTable === undefined) throw new InputValidationError('--table', 'is needed to store a list too big for the execution input (or pass --stage)');
      const target = await openAwsProgress(listTable, aws);
      try {
        input = await storeClusterList(target.store, name, input);
      } finally {
        await target.close();
      }
      if (format === 'table') io.err(`Stored the ${String((input['clustersRef'] as { count: number }).count)}-cluster list in ${listTable} under run ${name}\n`);
    }
    const started = await startRun(sfn, { stateMachineArn, name, input });
    if (!options.wait) {
      if (format === 'json') io.out(`${JSON.stringify({ machine: checked.machine, ...started }, null, 2)}\n`);
      else io.out(`Started ${checked.machine} execution ${started.executionArn}\nConsole: ${started.consoleUrl}\nFollow:  cni-fleet status ${started.executionArn}${options.stage ? ` --stage ${options.stage}` : ''} --watch\n`);
      return ExitCode.OK;
    }
    if (format === 'table') io.out(`Started ${checked.machine} execution ${started.executionArn}\nConsole: ${started.consoleUrl}\n`);
    const tableName = options.table ?? stack?.require(StackOutput.PROGRESS_TABLE);
    const progress = tableName === undefined ? undefined : await openAwsProgress(tableName, aws);
    try {
      return await followRun({ sfn, progress, executionArn: started.executionArn, format, intervalMs: interval, io, extra: { machine: checked.machine, consoleUrl: started.consoleUrl } });
    } finally {
      await progress?.close();
    }
  } catch (error) {
    return reportError(io, 'start', error);
  } finally {
    sfn?.destroy();
    cfn?.destroy();
  }
}
