import { Option, type Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, addProgressOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { RunsOptions } from '../actions/runs.js';

/**
 * Registers `cni-fleet runs`: the recent runs of a deployed stage (or of the local rehearsal log), each with its
 * clusters counted by outcome.
 *
 * @example
 * registerRuns(new Command('cni-fleet')); // cni-fleet runs --stage prod --since 7d --status FAILED
 */
export function registerRuns(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('runs')
    .summary('list recent runs with their clusters counted by outcome')
    .description(
      'List the newest runs, newest first: in AWS the executions of the stage\'s fleet workflow (ListExecutions; ' +
        '--machine cluster lists the cluster workflow\'s, which includes a fleet run\'s child executions), each with ' +
        'its clusters counted by outcome from the progress table; with --local (or without --stage and --table) the ' +
        'runs of the local rehearsal log.',
    )
    .option('--since <when>', 'only runs started since: a duration (30m, 24h, 7d, 2w) or a date (2026-12-01, 2026-12-01T08:00:00Z)')
    .option('--status <status>', 'only runs with this status: in AWS the execution\'s (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), locally the run\'s (RUNNING, SUCCEEDED, FAILED, HALTED)')
    .option('--limit <n>', 'newest runs to show (1-1000)', '20')
    .addOption(new Option('--machine <machine>', 'which workflow\'s executions').choices(['fleet', 'cluster']).default('fleet'));
  addProgressOptions(command, 'list the runs of a local rehearsal log');
  addAwsOptions(command, 'of the stack')
    .addHelpText(
      'after',
      ENVIRONMENT_HELP +
        exitCodesHelp('0 listed (also when there is none)') +
        '\nExamples:\n' +
        '  cni-fleet runs --stage prod --since 7d\n' +
        '  cni-fleet runs --stage prod --status FAILED --output json --query "runs[].runId"\n' +
        '  cni-fleet runs --local',
    )
    .action(async (options: RunsOptions) => {
      const { runRuns } = await import('../actions/runs.js');
      io.exit(await runRuns(options, io));
    });
}
