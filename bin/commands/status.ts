import type { Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, addProgressOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { StatusOptions } from '../actions/status.js';

/**
 * Registers `cni-fleet status RUN`: a run's execution (DescribeExecution) and each cluster's progress from the
 * progress table — or a local rehearsal's run from its log — once, or live until the execution ends.
 *
 * @example
 * registerStatus(new Command('cni-fleet')); // cni-fleet status weekly-1 --stage prod --only FAILED
 */
export function registerStatus(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('status')
    .summary('show a run and its clusters\' progress (hop n/m, current step, version reached, outcome)')
    .description(
      'Show a run: its execution (DescribeExecution) and, from the progress table, per cluster the status, the current ' +
        'step, hop n/m, the version reached and the error. RUN is an execution ARN, or a run id (the execution name) with ' +
        '--stage (the fleet workflow\'s execution, else the cluster workflow\'s), or a run id of a local rehearsal with ' +
        '--local. With --watch the view is refreshed (progress bars on a terminal, a line per change elsewhere) until the ' +
        'execution ends.',
    )
    .argument('<run>', 'execution ARN, or run id (`cni-fleet runs` lists them)')
    .option('--only <statuses>', 'only clusters with these statuses, comma-separated (e.g. FAILED or FAILED,BLOCKED)')
    .option('--watch', 'refresh until the execution ends')
    .option('--interval <seconds>', 'seconds between reads with --watch', '5');
  addProgressOptions(command, 'read a local rehearsal\'s run');
  addAwsOptions(command, 'of the execution (default: the one in the ARN)')
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}\nWith an ARN and neither --stage nor --table only the execution is shown.\n` +
        exitCodesHelp('0 shown (with --watch: and SUCCEEDED)', '3 with --watch: the execution ended FAILED, TIMED_OUT or ABORTED', '130 interrupted') +
        '\nExamples:\n' +
        '  cni-fleet status weekly-2026-48 --stage prod --only FAILED\n' +
        '  cni-fleet status arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-upgrade-fleet:weekly-2026-48 --stage prod --watch\n' +
        '  cni-fleet status "$ARN" --table cni-fleet-prod-progress --output json --query "clusters[].[name,status]"\n' +
        '  cni-fleet status rehearsal-2026-12-06T10-00-00-000Z --local --only FAILED,BLOCKED',
    )
    .action(async (run: string, options: StatusOptions) => {
      const { runStatus } = await import('../actions/status.js');
      io.exit(await runStatus(run, options, io));
    });
}
