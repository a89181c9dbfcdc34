import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { InputValidationError } from '../../lib/errors.js';
import { formatResult, type CommandOutput } from '../../lib/cli/output.js';
import { sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { executionArnOf, executionConsoleUrl, looksLikeExecutionArn, parseExecutionArn } from '../../lib/operator/execution-arn.js';
import { createLiveProgress } from '../../lib/operator/live-progress.js';
import { RunNotFoundError } from '../../lib/operator/operator-errors.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { renderRunProgress } from '../../lib/operator/render-progress.js';
import { onlyStatuses, readLocalRunProgress, readRunProgress, type RunProgress } from '../../lib/operator/run-progress.js';
import { MACHINE_OUTPUT, type StackOutputs } from '../../lib/operator/stack-outputs.js';
import { watchRun } from '../../lib/operator/watch-run.js';
import { ClusterStatus } from '../../lib/store/progress-items.js';
import { ExitCode, type CommandIo, type ProgressOptions } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, intervalOption, runCommand } from './common.js';
import { openDeployedLog, openLocalLog, readsLocal, stageOutputs } from './progress-log.js';

/** The options of `cni-fleet status` as commander parses them (bin/commands/status.ts declares them). */
export interface StatusOptions extends ProgressOptions {
  only?: string;
  watch?: boolean;
  interval: string;
}

// At the default 5 s interval this follows a run for about 6 days; a Standard execution may run longer, and
// `status --watch` can simply be run again.
const MAX_POLLS = 100_000;

/**
 * Parses `--only FAILED,BLOCKED` into cluster statuses.
 *
 * @throws InputValidationError naming `--only` for a status no cluster can have
 */
export function parseOnly(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const known = Object.values(ClusterStatus) as string[];
  const statuses = value.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = statuses.find((s) => !known.includes(s));
  if (statuses.length === 0 || unknown !== undefined) throw new InputValidationError('--only', `"${unknown ?? value}" is not a cluster status (${known.join(', ')})`);
  return statuses;
}

const isMissingExecution = (error: unknown): boolean => error instanceof Error && error.name === 'ExecutionDoesNotExist';

/**
 * The execution ARN of RUN: the ARN itself, or the run id as the stage's fleet workflow's execution, else its
 * cluster workflow's (`start` names executions after their run id).
 *
 * @throws RunNotFoundError when neither workflow has such an execution
 */
async function executionOfRun(run: string, sfn: SFNClient, stack: StackOutputs | undefined): Promise<string> {
  if (looksLikeExecutionArn(run)) {
    parseExecutionArn(run, 'RUN');
    return run;
  }
  if (stack === undefined) throw new InputValidationError('--stage', `is needed to find the execution of run "${run}" (or give its execution ARN, or --local for a rehearsal)`);
  for (const machine of ['fleet', 'cluster'] as const) {
    const arn = executionArnOf(stack.require(MACHINE_OUTPUT[machine]), run);
    try {
      await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      return arn;
    } catch (error) {
      if (!isMissingExecution(error)) throw error;
    }
  }
  throw new RunNotFoundError(run, `stack ${stack.stackName}`);
}

function print(view: RunProgress, output: CommandOutput, io: CommandIo, extra: Readonly<Record<string, string>>): void {
  io.out(formatResult({ ...extra, ...view }, output, () => renderRunProgress(view, { color: output.color })));
}

/** `cni-fleet status`: exit 0 shown, 1 failure, 2 bad input, 3/130 when following. */
export async function runStatus(run: string, options: StatusOptions, io: CommandIo): Promise<number> {
  let sfn: SFNClient | undefined;
  let progress: ProgressSource | undefined;
  return runCommand(io, 'status', options, async () => {
    try {
      const output = await commandOutput(options, io);
      const intervalMs = intervalOption(options.interval);
      const only = parseOnly(options.only);
      if (readsLocal(options, !looksLikeExecutionArn(run))) {
        if (options.watch) throw new InputValidationError('--watch', 'follows an execution in AWS; a local rehearsal\'s run is read once');
        progress = await openLocalLog(options);
        const view = await readLocalRunProgress(progress.store, run, progress.description);
        if (view.run === null && view.clusters.length === 0) throw new RunNotFoundError(run, progress.description);
        print(onlyStatuses(view, only), output, io, {});
        return ExitCode.OK;
      }
      // The execution lives in the Region its ARN names; --region overrides it as the AWS CLI's would.
      const aws = awsOptions(options, looksLikeExecutionArn(run) ? parseExecutionArn(run, 'RUN').region : undefined);
      sfn = new SFNClient(sdkClientConfig(aws));
      const stack = options.stage !== undefined ? await stageOutputs(options, aws) : undefined;
      const executionArn = await executionOfRun(run, sfn, stack);
      progress = options.table !== undefined || stack !== undefined ? await openDeployedLog(options, aws, stack) : undefined;
      const extra = { consoleUrl: executionConsoleUrl(executionArn) };
      if (options.watch) return await followRun({ sfn, progress, executionArn, output, intervalMs, io, extra, only });
      const view = await readRunProgress({ sfn, executionArn, store: progress?.store, progressTable: progress?.tableName });
      print(onlyStatuses(view, only), output, io, extra);
      return ExitCode.OK;
    } finally {
      sfn?.destroy();
      await progress?.close();
    }
  });
}

/** What `followRun` needs; `start --wait` and `status --watch` share it. */
export interface FollowRequest {
  readonly sfn: SFNClient;
  readonly progress: ProgressSource | undefined;
  readonly executionArn: string;
  readonly output: CommandOutput;
  readonly intervalMs: number;
  readonly io: CommandIo;
  /** Members added to the JSON document (e.g. the console URL). */
  readonly extra: Readonly<Record<string, string>>;
  readonly only?: readonly string[] | undefined;
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
    print(onlyStatuses(result.progress, request.only), request.output, io, request.extra);
    const status = result.progress.execution?.status ?? 'UNKNOWN';
    if (!result.ended) {
      io.err(`cni-fleet: stopped following; the execution is still ${status} (cni-fleet status ${executionArn} --watch resumes)\n`);
      return ExitCode.INTERRUPTED;
    }
    return status === 'SUCCEEDED' ? ExitCode.OK : ExitCode.RUN_FAILED;
  } finally {
    live.stop();
    process.off('SIGINT', onSigint);
  }
}

