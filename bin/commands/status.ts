import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Option, type Command } from 'commander';
import { resolveOutputFormat, sdkClientConfig, type OutputFormat } from '../../lib/operator/aws-cli-options.js';
import { executionConsoleUrl, parseExecutionArn } from '../../lib/operator/execution-arn.js';
import { createLiveProgress } from '../../lib/operator/live-progress.js';
import { openAwsProgress, type ProgressSource } from '../../lib/operator/progress-source.js';
import { renderRunProgress } from '../../lib/operator/render-progress.js';
import { readRunProgress, type RunProgress } from '../../lib/operator/run-progress.js';
import { StackOutput, readStackOutputs } from '../../lib/operator/stack-outputs.js';
import { watchRun } from '../../lib/operator/watch-run.js';
import { ENDPOINT_HELP, ExitCode, addAwsOptions, intervalOption, processIo, reportError, type AwsCommandOptions, type CommandIo } from './cli-helpers.js';

interface StatusOptions extends AwsCommandOptions {
  stage?: string;
  table?: string;
  watch?: boolean;
  interval: string;
}

// At the default 5 s interval this follows a run for about 6 days; a Standard execution may run longer, and
// `status --watch` can simply be run again.
const MAX_POLLS = 100_000;

/**
 * Registers `cni-fleet status EXECUTION_ARN`: the execution's status (DescribeExecution) and each cluster's
 * progress from the progress table, once or live until the execution ends.
 *
 * @example
 * registerStatus(new Command('cni-fleet')); // cni-fleet status arn:aws:states:…:execution:cni-fleet-prod-fleet:weekly-1 --stage prod --watch
 */
export function registerStatus(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('status')
    .summary('show an execution and its clusters\' progress (hop n/m, current step, outcome)')
    .description(
      'Describe an execution of the fleet or cluster workflow and read its run from the progress table: per cluster the ' +
        'status, the current step, hop n/m and the error. The run id is the input\'s runId, else the execution name. ' +
        'With --watch the view is refreshed (progress bars on a terminal, a line per change elsewhere) until the execution ends.',
    )
    .argument('<execution-arn>', 'the execution ARN that `start` printed (or the Step Functions console shows)')
    .addOption(new Option('--stage <stage>', 'deployed stage: the progress table comes from the stack output ProgressTableName').env('CNI_FLEET_STAGE'))
    .addOption(new Option('--table <name>', 'progress table name (instead of --stage)').env('CNI_FLEET_TABLE'))
    .option('--watch', 'refresh until the execution ends')
    .option('--interval <seconds>', 'seconds between reads with --watch', '5');
  addAwsOptions(command, 'of the execution (default: the one in EXECUTION_ARN)')
    .addHelpText(
      'after',
      `${ENDPOINT_HELP}\nWithout --stage or --table only the execution is shown.\n` +
        '\nExit codes: 0 shown (with --watch: and SUCCEEDED), 1 AWS or other failure, 2 bad input,\n' +
        '  3 with --watch: the execution ended FAILED, TIMED_OUT or ABORTED, 130 interrupted.\n' +
        '\nExamples:\n' +
        '  cni-fleet status arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-fleet:weekly-1 --stage prod\n' +
        '  cni-fleet status "$ARN" --stage prod --watch\n' +
        '  cni-fleet status "$ARN" --table cni-fleet-prod-progress --output json',
    )
    .action(async (executionArn: string, options: StatusOptions) => {
      io.exit(await runStatus(executionArn, options, io));
    });
}

async function runStatus(executionArn: string, options: StatusOptions, io: CommandIo): Promise<number> {
  let sfn: SFNClient | undefined;
  let progress: ProgressSource | undefined;
  try {
    const format = resolveOutputFormat(options, process.env);
    const intervalMs = intervalOption(options.interval);
    // The execution lives in the Region its ARN names; --region overrides it as the AWS CLI's would.
    const aws = { region: options.region ?? parseExecutionArn(executionArn).region, profile: options.profile };
    sfn = new SFNClient(sdkClientConfig(aws));
    let tableName = options.table;
    if (tableName === undefined && options.stage !== undefined) {
      const cfn = new CloudFormationClient(sdkClientConfig(aws));
      try {
        tableName = (await readStackOutputs(cfn, options.stage)).require(StackOutput.PROGRESS_TABLE);
      } finally {
        cfn.destroy();
      }
    }
    progress = tableName === undefined ? undefined : await openAwsProgress(tableName, aws);
    if (options.watch) return await followRun({ sfn, progress, executionArn, format, intervalMs, io, extra: { consoleUrl: executionConsoleUrl(executionArn) } });
    const view = await readRunProgress({ sfn, executionArn, store: progress?.store, progressTable: progress?.tableName });
    printProgress(view, format, io, { consoleUrl: executionConsoleUrl(executionArn) });
    return ExitCode.OK;
  } catch (error) {
    return reportError(io, 'status', error);
  } finally {
    sfn?.destroy();
    await progress?.close();
  }
}

function printProgress(view: RunProgress, format: OutputFormat, io: CommandIo, extra: Readonly<Record<string, string>>): void {
  if (format === 'json') io.out(`${JSON.stringify({ ...extra, ...view }, null, 2)}\n`);
  else io.out(renderRunProgress(view));
}

/** What `followRun` needs; `start --wait` and `status --watch` share it. */
export interface FollowRequest {
  readonly sfn: SFNClient;
  readonly progress: ProgressSource | undefined;
  readonly executionArn: string;
  readonly format: OutputFormat;
  readonly intervalMs: number;
  readonly io: CommandIo;
  /** Members added to the JSON document (e.g. the console URL). */
  readonly extra: Readonly<Record<string, string>>;
}

/**
 * Follows an execution until it ends: the live view on the progress stream, then the final view on stdout
 * (a table, or one JSON document). Ctrl-C stops following, not the execution.
 *
 * @returns the exit code: 0 SUCCEEDED, 3 ended otherwise, 130 interrupted
 */
export async function followRun(request: FollowRequest): Promise<number> {
  const { sfn, progress, executionArn, io } = request;
  const live = createLiveProgress({ stream: io.progress ?? process.stderr });
  const interrupted = new AbortController();
  const onSigint = (): void => interrupted.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await watchRun(() => readRunProgress({ sfn, executionArn, store: progress?.store, progressTable: progress?.tableName }), {
      intervalMs: request.intervalMs,
      maxPolls: MAX_POLLS,
      onUpdate: (view) => live.update(view),
      signal: interrupted.signal,
    });
    live.stop();
    printProgress(result.progress, request.format, io, request.extra);
    if (!result.ended) {
      io.err(`cni-fleet: stopped following; the execution is still ${result.progress.execution.status} (cni-fleet status ${executionArn} --watch resumes)\n`);
      return ExitCode.INTERRUPTED;
    }
    return result.progress.execution.status === 'SUCCEEDED' ? ExitCode.OK : ExitCode.RUN_FAILED;
  } finally {
    live.stop();
    process.off('SIGINT', onSigint);
  }
}

