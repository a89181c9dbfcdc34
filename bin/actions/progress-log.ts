import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { InputValidationError } from '../../lib/errors.js';
import { requireRegion, sdkClientConfig, type AwsCliOptions } from '../../lib/operator/aws-cli-options.js';
import { openAwsProgress, type ProgressSource } from '../../lib/operator/progress-source.js';
import { openLocalProgress } from './local-progress.js';
import { StackOutput, readStackOutputs, type StackOutputs } from '../../lib/operator/stack-outputs.js';
import { looksLikeExecutionArn, parseExecutionArn } from '../../lib/operator/execution-arn.js';
import { readRunProgress } from '../../lib/operator/run-progress.js';
import { awsOptions } from './common.js';
import { LOCAL_DATA_DIR, type ProgressOptions } from '../commands/cli-helpers.js';

/** True when the command reads a local rehearsal: `--local`, or neither `--stage` nor `--table` and `localByDefault`. */
export function readsLocal(options: ProgressOptions, localByDefault: boolean): boolean {
  const wantsAws = options.stage !== undefined || options.table !== undefined;
  if (options.local !== undefined && wantsAws) throw new InputValidationError('--local', 'reads the local rehearsal, so it cannot be combined with --stage or --table');
  if (options.local !== undefined) return true;
  return !wantsAws && localByDefault;
}

/**
 * A local rehearsal's progress log. A local log has no Region, profile or endpoint: those options are refused
 * rather than ignored.
 *
 * @throws InputValidationError naming the AWS option given with a local log
 */
export async function openLocalLog(options: ProgressOptions): Promise<ProgressSource> {
  for (const [flag, value] of [['--region', options.region], ['--profile', options.profile], ['--endpoint-url', options.endpointUrl]] as const)
    if (value !== undefined) throw new InputValidationError(flag, 'applies to a deployed stage: add --stage or --table, or drop it to read the local rehearsal');
  return openLocalProgress(typeof options.local === 'string' ? options.local : LOCAL_DATA_DIR);
}

/**
 * The deployed stage's stack outputs (DescribeStacks on cni-fleet-STAGE).
 *
 * @throws InputValidationError naming `--stage` when it is missing
 */
export async function stageOutputs(options: ProgressOptions, aws: AwsCliOptions): Promise<StackOutputs> {
  if (options.stage === undefined) throw new InputValidationError('--stage', 'is required to find the deployed stack (or CNI_FLEET_STAGE)');
  const cfn = new CloudFormationClient(sdkClientConfig(aws));
  try {
    await requireRegion(() => cfn.config.region());
    return await readStackOutputs(cfn, options.stage);
  } finally {
    cfn.destroy();
  }
}

/**
 * The deployed progress table: `--table`, else the stage's ProgressTableName.
 *
 * @throws InputValidationError naming `--stage` when neither is given
 */
export async function openDeployedLog(options: ProgressOptions, aws: AwsCliOptions, stack?: StackOutputs): Promise<ProgressSource> {
  const tableName = options.table ?? (stack ?? (await stageOutputs(options, aws))).require(StackOutput.PROGRESS_TABLE);
  return openAwsProgress(tableName, aws);
}

/**
 * The run id of RUN: RUN itself, or for an execution ARN the execution's input `runId`, else its name (the
 * workflows' own rule).
 */
export async function runIdOf(run: string, aws: AwsCliOptions): Promise<string> {
  if (!looksLikeExecutionArn(run)) return run;
  const { region } = parseExecutionArn(run, 'RUN');
  const sfn = new SFNClient(sdkClientConfig({ ...aws, region: aws.region ?? region }));
  try {
    return (await readRunProgress({ sfn, executionArn: run })).runId;
  } finally {
    sfn.destroy();
  }
}

/**
 * Opens the progress log a command reads RUN from: the local rehearsal's (`--local`, or neither `--stage` nor
 * `--table`), or the deployed table; and RUN's run id in it.
 */
export async function openRunLog(run: string, options: ProgressOptions): Promise<{ source: ProgressSource; runId: string; local: boolean; aws: AwsCliOptions | undefined }> {
  if (readsLocal(options, !looksLikeExecutionArn(run))) {
    if (looksLikeExecutionArn(run)) throw new InputValidationError('RUN', 'a local rehearsal\'s runs have run ids, not execution ARNs');
    return { source: await openLocalLog(options), runId: run, local: true, aws: undefined };
  }
  const aws = awsOptions(options);
  const runId = await runIdOf(run, aws);
  return { source: await openDeployedLog(options, aws), runId, local: false, aws };
}
