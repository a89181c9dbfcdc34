import type { Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, addProgressOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { RetryOptions } from '../actions/retry.js';

/**
 * Registers `cni-fleet retry RUN`: writes (and validates) a fleet execution input of the clusters that failed in
 * RUN, then starts it on the stage's fleet workflow.
 *
 * @example
 * registerRetry(new Command('cni-fleet')); // cni-fleet retry weekly-2026-48 --stage prod
 */
export function registerRetry(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('retry')
    .summary('start a new run of the clusters that failed in a run')
    .description(
      'Read RUN\'s clusters from the progress log, write a fleet execution input of those that FAILED (each with its ' +
        'account and the role the run used, and the run\'s options) to --out, validate it as `start` does, and start it ' +
        'on the stage\'s fleet workflow. With --write-only, or for a local rehearsal (--local), the input is only written: ' +
        '`cni-fleet rehearse --fleet FILE --input OUT` rehearses it.',
    )
    .argument('<run>', 'run id, or the execution ARN of the run')
    .option('--only <statuses>', 'retry clusters with these statuses, comma-separated', 'FAILED')
    .option('--out <file>', 'where to write the new execution input (default: retry-RUN.json)')
    .option('--write-only', 'write and validate the input, start nothing')
    .option('--name <name>', 'execution name (default: cli-<UTC time>-<random>)')
    .option('--wait', 'follow the new execution live until it ends')
    .option('--interval <seconds>', 'seconds between reads while waiting', '5');
  addProgressOptions(command, 'retry a run of the local rehearsal log (writes the input only)');
  addAwsOptions(command, 'of the stack')
    .addHelpText(
      'after',
      ENVIRONMENT_HELP +
        exitCodesHelp('0 written (and started), also when no cluster needs a retry', '3 with --wait: the new execution ended FAILED, TIMED_OUT or ABORTED', '130 interrupted while waiting') +
        '\nExamples:\n' +
        '  cni-fleet retry weekly-2026-48 --stage prod\n' +
        '  cni-fleet retry weekly-2026-48 --stage prod --only FAILED,BLOCKED --out retry.json --write-only\n' +
        '  cni-fleet retry rehearsal-2026-12-06T10-00-00-000Z --local && cni-fleet rehearse --fleet examples/fleet.json --input retry-rehearsal-2026-12-06T10-00-00-000Z.json',
    )
    .action(async (run: string, options: RetryOptions) => {
      const { runRetry } = await import('../actions/retry.js');
      io.exit(await runRetry(run, options, io));
    });
}
