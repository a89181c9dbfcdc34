import type { Command } from 'commander';
import { ENVIRONMENT_HELP, LOCAL_DATA_DIR, addAwsOptions, addProgressOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { HistoryOptions } from '../actions/history.js';

/**
 * Registers `cni-fleet history --cluster NAME`: a cluster's runs from the progress log, newest first, with each
 * hop — from the deployed table (`--stage` / `--table`) or a local rehearsal's (`--local [DIR]`, the default).
 *
 * @example
 * registerHistory(new Command('cni-fleet')); // cni-fleet history --cluster payments-prod --stage prod --json
 */
export function registerHistory(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('history')
    .summary('show a cluster\'s upgrade history from the progress log')
    .description(
      'Read a cluster\'s runs from the progress log, newest first: outcome, from → to, and every hop with its versions, ' +
        'EKS update id, polls, duration and error. A bare name matches the cluster in every account and Region ' +
        '(narrow it with --cluster-region, or pass the cluster key ACCOUNT/REGION/NAME). The log is the deployed table ' +
        '(--table, or --stage for the stack output ProgressTableName) or a rehearsal\'s local copy (--local; the default ' +
        `when neither --stage nor --table is given, reading ${LOCAL_DATA_DIR} where \`npm start\` keeps it).`,
    )
    .requiredOption('--cluster <name>', 'cluster name, or cluster key ACCOUNT/REGION/NAME')
    .option('--cluster-region <region>', 'only runs of the cluster in this Region')
    .option('--limit <n>', 'newest runs to show (1-1000)', '20');
  addProgressOptions(command, 'read a local rehearsal\'s progress log');
  addAwsOptions(command, 'of the progress table')
    .addHelpText(
      'after',
      ENVIRONMENT_HELP +
        exitCodesHelp('0 shown (also when the cluster has no history)') +
        '\nExamples:\n' +
        '  npm start && cni-fleet history --cluster payments-prod          # the local rehearsal\'s log\n' +
        '  cni-fleet history --cluster payments-prod --stage prod --region eu-west-1 --profile prod\n' +
        '  cni-fleet history --cluster 111122223333/us-east-1/payments-prod --table cni-fleet-prod-progress --limit 5 --output json',
    )
    .action(async (options: HistoryOptions) => {
      const { runHistory } = await import('../actions/history.js');
      io.exit(await runHistory(options, io));
    });
}
