import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Option, type Command } from 'commander';
import { InputValidationError } from '../../lib/errors.js';
import { abortRun, clusterMachineOf, type AbortOutcome } from '../../lib/operator/abort-run.js';
import { resolveOutputFormat, sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { parseExecutionArn } from '../../lib/operator/execution-arn.js';
import { openAwsProgress, type ProgressSource } from '../../lib/operator/progress-source.js';
import { StackOutput, readStackOutputs } from '../../lib/operator/stack-outputs.js';
import { ENDPOINT_HELP, ExitCode, addAwsOptions, intervalOption, processIo, reportError, type AwsCommandOptions, type CommandIo } from './cli-helpers.js';

interface AbortOptions extends AwsCommandOptions {
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
      `${ENDPOINT_HELP}\nWithout --stage or --table the executions are stopped and nothing is waited for.\n` +
        '\nExit codes: 0 stopped and cleaned up, 1 AWS or other failure, or the cleanup not seen within --timeout,\n' +
        '  2 bad input (nothing was stopped), 130 interrupted while waiting (the executions stay stopped).\n' +
        '\nExamples:\n' +
        '  cni-fleet abort arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-upgrade-fleet:weekly-1 --stage prod\n' +
        '  cni-fleet abort "$ARN" --table cni-fleet-prod-progress --output json',
    )
    .action(async (executionArn: string, options: AbortOptions) => {
      io.exit(await runAbort(executionArn, options, io));
    });
}

async function runAbort(executionArn: string, options: AbortOptions, io: CommandIo): Promise<number> {
  let sfn: SFNClient | undefined;
  let progress: ProgressSource | undefined;
  const interrupted = new AbortController();
  const onSigint = (): void => interrupted.abort();
  try {
    // Everything that can be checked locally is checked before anything is stopped.
    const format = resolveOutputFormat(options, process.env);
    const intervalMs = intervalOption(options.interval);
    const timeoutMs = timeoutOption(options.timeout);
    parseExecutionArn(executionArn);
    if (options.clusterStateMachineArn !== undefined && !STATE_MACHINE_ARN.test(options.clusterStateMachineArn))
      throw new InputValidationError('--cluster-state-machine-arn', `"${options.clusterStateMachineArn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`);
    const aws = { region: options.region ?? parseExecutionArn(executionArn).region, profile: options.profile };
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
    if (format === 'json') io.out(`${JSON.stringify(outcome, null, 2)}\n`);
    else io.out(renderOutcome(outcome));
    if (outcome.cleanup === null || outcome.cleanup.done) return ExitCode.OK;
    if (interrupted.signal.aborted) return ExitCode.INTERRUPTED;
    io.err(
      `cni-fleet abort: the cleanup was not seen within ${options.timeout} s (run ${outcome.cleanup.runStatus ?? 'not found'}; open: ${outcome.cleanup.open.join(', ') || 'none'}; locked: ${outcome.cleanup.locksHeld.join(', ') || 'none'}); ` +
        `check that the stage's cleanup rule (cni-fleet-<stage>-cleanup) is deployed and its Lambda's log\n`,
    );
    return ExitCode.FAILURE;
  } catch (error) {
    return reportError(io, 'abort', error);
  } finally {
    process.off('SIGINT', onSigint);
    sfn?.destroy();
    await progress?.close();
  }
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
