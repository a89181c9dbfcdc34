import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Option, type Command } from 'commander';
import { InputValidationError } from '../../lib/errors.js';
import { requireRegion, resolveOutputFormat, sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { readClusterHistory } from '../../lib/operator/cluster-history.js';
import { DEFAULT_LOCAL_DATA_DIR, openAwsProgress, openLocalProgress, type ProgressSource } from '../../lib/operator/progress-source.js';
import { renderClusterHistory } from '../../lib/operator/render-progress.js';
import { StackOutput, readStackOutputs } from '../../lib/operator/stack-outputs.js';
import { ENDPOINT_HELP, ExitCode, addAwsOptions, intOption, processIo, reportError, type AwsCommandOptions, type CommandIo } from './cli-helpers.js';

interface HistoryOptions extends AwsCommandOptions {
  cluster: string;
  clusterRegion?: string;
  limit: string;
  stage?: string;
  table?: string;
  local?: string | boolean;
}

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
        `when neither --stage nor --table is given, reading ${DEFAULT_LOCAL_DATA_DIR} where \`npm start\` keeps it).`,
    )
    .requiredOption('--cluster <name>', 'cluster name, or cluster key ACCOUNT/REGION/NAME')
    .option('--cluster-region <region>', 'only runs of the cluster in this Region')
    .option('--limit <n>', 'newest runs to show (1-1000)', '20')
    .addOption(new Option('--stage <stage>', 'deployed stage: the table comes from the stack output ProgressTableName').env('CNI_FLEET_STAGE'))
    .addOption(new Option('--table <name>', 'progress table name (instead of --stage)').env('CNI_FLEET_TABLE'))
    .option('--local [dir]', `read a local rehearsal's progress log (default folder ${DEFAULT_LOCAL_DATA_DIR})`);
  addAwsOptions(command, 'of the progress table')
    .addHelpText(
      'after',
      `${ENDPOINT_HELP}\nExit codes: 0 shown (also when the cluster has no history), 1 AWS or other failure, 2 bad input.\n` +
        '\nExamples:\n' +
        '  npm start && cni-fleet history --cluster payments-prod          # the local rehearsal\'s log\n' +
        '  cni-fleet history --cluster payments-prod --stage prod --region eu-west-1 --profile prod\n' +
        '  cni-fleet history --cluster 111122223333/us-east-1/payments-prod --table cni-fleet-prod-progress --limit 5 --output json',
    )
    .action(async (options: HistoryOptions) => {
      io.exit(await runHistory(options, io));
    });
}

async function runHistory(options: HistoryOptions, io: CommandIo): Promise<number> {
  let source: ProgressSource | undefined;
  try {
    const format = resolveOutputFormat(options, process.env);
    const limit = intOption(options.limit, 'limit', 1, 1000);
    source = await openSource(options);
    const runs = await readClusterHistory(source.store, { cluster: options.cluster, region: options.clusterRegion, limit });
    if (format === 'json') {
      io.out(`${JSON.stringify({ cluster: options.cluster, clusterRegion: options.clusterRegion ?? null, source: source.description, table: source.tableName, runs }, null, 2)}\n`);
    } else if (runs.length === 0) {
      io.out(`No history for ${options.cluster}${options.clusterRegion ? ` in ${options.clusterRegion}` : ''} in ${source.description}.\n`);
    } else {
      io.out(`History of ${options.cluster} (${source.description}), newest first:\n${renderClusterHistory(runs)}`);
    }
    return ExitCode.OK;
  } catch (error) {
    return reportError(io, 'history', error);
  } finally {
    await source?.close();
  }
}

async function openSource(options: HistoryOptions): Promise<ProgressSource> {
  const aws = { region: options.region, profile: options.profile };
  const wantsAws = options.stage !== undefined || options.table !== undefined;
  if (options.local !== undefined || !wantsAws) {
    if (options.local !== undefined && wantsAws) throw new InputValidationError('--local', 'reads the local rehearsal, so it cannot be combined with --stage or --table');
    // A local log has no Region or profile; a --region meant as a filter is --cluster-region here.
    if (options.region !== undefined) throw new InputValidationError('--region', 'is the AWS Region of a deployed table; to filter the local history by the cluster\'s Region use --cluster-region');
    if (options.profile !== undefined) throw new InputValidationError('--profile', 'applies to a deployed table: add --stage or --table');
    return openLocalProgress(typeof options.local === 'string' ? options.local : DEFAULT_LOCAL_DATA_DIR);
  }
  let tableName = options.table;
  if (tableName === undefined) {
    const cfn = new CloudFormationClient(sdkClientConfig(aws));
    try {
      await requireRegion(() => cfn.config.region());
      tableName = (await readStackOutputs(cfn, options.stage!)).require(StackOutput.PROGRESS_TABLE);
    } finally {
      cfn.destroy();
    }
  }
  return openAwsProgress(tableName, aws);
}
