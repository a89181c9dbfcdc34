import { Option, type Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { AbortOptions } from '../actions/abort.js';

/**
 * Registers `cni-fleet abort EXECUTION_ARN`: stops a fleet run (or a cluster execution) and the cluster executions
 * of its run, then waits until the stage's cleanup has released their locks and closed the run as ABORTED.
 *
 * @example
 * registerAbort(new Command('cni-fleet')); // cni-fleet abort arn:aws:states:…:execution:cni-fleet-prod-upgrade-fleet:weekly-1 --stage prod
 */
export function registerAbort(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('abort')
    .summary('stop a fleet run and its cluster executions, and wait for the cleanup')
    .description(
      'Stop an execution of the fleet workflow (or of the cluster workflow) with StopExecution, then every running ' +
        'execution of the cluster workflow that belongs to the same run (its input\'s runId), and wait until the ' +
        'stage\'s cleanup (a Lambda started by the rule on each execution\'s end) has released their locks and closed ' +
        'the run and its unfinished clusters as ABORTED. Hops already accepted by EKS finish in EKS; the next run ' +
        'snapshots what it finds.',
    )
    .argument('<execution-arn>', 'the execution ARN that `start` printed (or the Step Functions console shows)')
    .addOption(new Option('--stage <stage>', 'deployed stage: the cluster workflow and the progress table come from its stack outputs').env('CNI_FLEET_STAGE'))
    .addOption(new Option('--table <name>', 'progress table name (instead of --stage)').env('CNI_FLEET_TABLE'))
    .option('--cluster-state-machine-arn <arn>', 'the cluster workflow (default: from --stage, else named after the fleet workflow: …-upgrade-cluster)')
    .option('--timeout <seconds>', 'how long to wait for the cleanup (0: do not wait)', '300')
    .option('--interval <seconds>', 'seconds between reads of the progress table while waiting', '2');
  addAwsOptions(command, 'of the execution (default: the one in EXECUTION_ARN)')
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}\nWithout --stage or --table the executions are stopped and nothing is waited for.\n` +
        exitCodesHelp('0 stopped and cleaned up', '1 also when the cleanup was not seen within --timeout', '130 interrupted while waiting (the executions stay stopped)') +
        '\nExamples:\n' +
        '  cni-fleet abort arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-upgrade-fleet:weekly-1 --stage prod\n' +
        '  cni-fleet abort "$ARN" --table cni-fleet-prod-progress --output json',
    )
    .action(async (executionArn: string, options: AbortOptions) => {
      const { runAbort } = await import('../actions/abort.js');
      io.exit(await runAbort(executionArn, options, io));
    });
}
