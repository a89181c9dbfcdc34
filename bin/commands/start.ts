import { Option, type Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { StartOptions } from '../actions/start.js';

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
    .requiredOption('--input <file>', 'execution input (JSON): FleetExecutionInput or ClusterExecutionInput, see docs/workflow.md#execution-input')
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
      ENVIRONMENT_HELP +
        exitCodesHelp('0 started (with --wait: and SUCCEEDED)', '3 with --wait: the execution ended FAILED, TIMED_OUT or ABORTED', '130 interrupted while waiting (the execution goes on)') +
        '\nExamples:\n' +
        '  cni-fleet start --stage dev --input examples/inputs/cluster-one.json\n' +
        '  cni-fleet start --stage prod --input examples/inputs/fleet-list.json --wait --region eu-west-1 --profile prod\n' +
        '  cni-fleet start --input examples/inputs/fleet-list.json --state-machine-arn arn:aws:states:eu-west-1:111122223333:stateMachine:cni-fleet-dev-upgrade-fleet --output json',
    )
    .action(async (options: StartOptions) => {
      const { runStart } = await import('../actions/start.js');
      io.exit(await runStart(options, io));
    });
}
