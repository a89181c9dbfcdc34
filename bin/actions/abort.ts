import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { InputValidationError } from '../../lib/errors.js';
import { formatResult } from '../../lib/cli/output.js';
import { abortRun, clusterMachineOf, type AbortOutcome } from '../../lib/operator/abort-run.js';
import { sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { parseExecutionArn } from '../../lib/operator/execution-arn.js';
import { openAwsProgress, type ProgressSource } from '../../lib/operator/progress-source.js';
import { StackOutput, readStackOutputs } from '../../lib/operator/stack-outputs.js';
import { ExitCode, type AwsCommandOptions, type CommandIo } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, intervalOption, runCommand } from './common.js';

/** The options of `cni-fleet abort` as commander parses them (bin/commands/abort.ts declares them). */
export interface AbortOptions extends AwsCommandOptions {
  stage?: string;
  table?: string;
  clusterStateMachineArn?: string;
  timeout: string;
  interval: string;
}

// arn:<partition>:states:<region>:<account>:stateMachine:<name>
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/** Parses `--timeout` (seconds to wait for the cleanup). */
function timeoutOption(value: unknown): number {
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds >= 0 && seconds <= 3600)) throw new InputValidationError('--timeout', `must be a number of seconds from 0 to 3600, got "${String(value)}"`);
  return Math.round(seconds * 1000);
}

/** `cni-fleet abort`: exit 0 stopped and cleaned up, 1 failure or no cleanup seen, 2 bad input, 130 interrupted. */
export async function runAbort(executionArn: string, options: AbortOptions, io: CommandIo): Promise<number> {
  let sfn: SFNClient | undefined;
  let progress: ProgressSource | undefined;
  const interrupted = new AbortController();
  const onSigint = (): void => interrupted.abort();
  return runCommand(io, 'abort', options, async () => {
    try {
      // Everything that can be checked locally is checked before anything is stopped.
      const output = await commandOutput(options, io);
      const intervalMs = intervalOption(options.interval);
      const timeoutMs = timeoutOption(options.timeout);
      parseExecutionArn(executionArn);
      if (options.clusterStateMachineArn !== undefined && !STATE_MACHINE_ARN.test(options.clusterStateMachineArn))
        throw new InputValidationError('--cluster-state-machine-arn', `"${options.clusterStateMachineArn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`);
      const aws = awsOptions(options, parseExecutionArn(executionArn).region);
      sfn = new SFNClient(sdkClientConfig(aws));
      let tableName = options.table;
      let clusterStateMachineArn = options.clusterStateMachineArn;
      if (options.stage !== undefined && (tableName === undefined || clusterStateMachineArn === undefined)) {
        const cfn = new CloudFormationClient(sdkClientConfig(aws));
        try {
          const stack = await readStackOutputs(cfn, options.stage);
          tableName ??= stack.require(StackOutput.PROGRESS_TABLE);
          clusterStateMachineArn ??= stack.require(StackOutput.CLUSTER_STATE_MACHINE);
        } finally {
          cfn.destroy();
        }
      }
      clusterStateMachineArn ??= clusterMachineOf(executionArn);
      progress = tableName === undefined ? undefined : await openAwsProgress(tableName, aws);
      process.once('SIGINT', onSigint);
      let lastLine = '';
      const outcome = await abortRun({
        sfn,
        executionArn,
        clusterStateMachineArn,
        store: progress?.store,
        intervalMs,
        timeoutMs,
        signal: interrupted.signal,
        onWait: (c) => {
          const line = `cni-fleet: waiting for the cleanup: run ${c.runStatus ?? '(no record)'}, ${c.open.length} cluster(s) open, ${c.locksHeld.length} lock(s) held\n`;
          if (line !== lastLine && !c.done) io.err(line);
          lastLine = line;
        },
      });
      io.out(formatResult(outcome, output, () => renderOutcome(outcome)));
      if (outcome.cleanup === null || outcome.cleanup.done) return ExitCode.OK;
      if (interrupted.signal.aborted) return ExitCode.INTERRUPTED;
      io.err(
        `cni-fleet abort: the cleanup was not seen within ${options.timeout} s (run ${outcome.cleanup.runStatus ?? 'not found'}; open: ${outcome.cleanup.open.join(', ') || 'none'}; locked: ${outcome.cleanup.locksHeld.join(', ') || 'none'}); ` +
          `check that the stage's cleanup rule (cni-fleet-<stage>-cleanup) is deployed and its Lambda's log\n`,
      );
      return ExitCode.FAILURE;
    } finally {
      process.off('SIGINT', onSigint);
      sfn?.destroy();
      await progress?.close();
    }
  });
}

function renderOutcome(outcome: AbortOutcome): string {
  const lines = [
    `Execution ${outcome.executionArn} (run ${outcome.runId}) was ${outcome.statusBefore}${outcome.stopped.includes(outcome.executionArn) ? ', stopped' : ', not stopped'}.`,
    `Stopped ${outcome.stopped.length} execution(s)${outcome.stopped.length > 0 ? `: ${outcome.stopped.map((arn) => arn.split(':').pop()).join(', ')}` : ''}.`,
  ];
  const c = outcome.cleanup;
  if (c === null) lines.push('No progress table given (--stage or --table): the cleanup was not waited for.');
  else
    lines.push(
      `Cleanup ${c.done ? 'done' : 'not finished'}: run ${c.runStatus ?? '(no record)'}; clusters ${Object.entries(c.byStatus).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; ${c.locksHeld.length} lock(s) still held.`,
    );
  return `${lines.join('\n')}\n`;
}
