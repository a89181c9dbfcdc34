import { createInterface } from 'node:readline/promises';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { formatResult } from '../../lib/cli/output.js';
import { rollbackCandidate, findLastHop } from '../../lib/controls/rollback.js';
import { CniFleetError, InputValidationError } from '../../lib/errors.js';
import { sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { openAwsProgress, type ProgressSource } from '../../lib/operator/progress-source.js';
import { StackOutput, readStackOutputs } from '../../lib/operator/stack-outputs.js';
import { startRun } from '../../lib/operator/start-run.js';
import { parseClusterKey } from '../../lib/store/progress-keys.js';
import { ExitCode, type AwsCommandOptions, type CommandIo } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, runCommand } from './common.js';

/** The options of `cni-fleet rollback` as commander parses them (bin/commands/rollback.ts declares them). */
export interface RollbackOptions extends AwsCommandOptions {
  cluster: string;
  reason?: string;
  yes?: boolean;
  stage?: string;
  table?: string;
  clusterStateMachineArn?: string;
}

/** The operator said no at the prompt: nothing started. */
class RollbackDeclinedError extends CniFleetError {
  override readonly name = 'RollbackDeclinedError' as const;
  constructor(clusterKey: string) {
    super(`rollback of ${clusterKey} not confirmed: nothing started`);
  }
}

/** Asks on the terminal; true only for y or yes. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** `cni-fleet rollback --cluster KEY`: exit 0 started, 1 refused, declined or failed, 2 bad input. */
export async function runRollback(options: RollbackOptions, io: CommandIo): Promise<number> {
  let progress: ProgressSource | undefined;
  let sfn: SFNClient | undefined;
  return runCommand(io, 'rollback', options, async () => {
    try {
      // Everything that can be checked here is checked before the progress table is read.
      const output = await commandOutput(options, io);
      let cluster;
      try {
        cluster = parseClusterKey(options.cluster);
      } catch (error) {
        if (error instanceof InputValidationError) throw new InputValidationError('--cluster', error.problem, { cause: error });
        throw error;
      }
      if (options.reason !== undefined && !(options.reason.trim().length >= 1 && options.reason.length <= 512)) throw new InputValidationError('--reason', 'must be 1 to 512 characters');
      if (!options.yes && !process.stdin.isTTY) throw new InputValidationError('--yes', 'is required when no terminal can confirm (stdin is not a terminal)');
      const aws = awsOptions(options, cluster.region);
      let tableName = options.table;
      let stateMachineArn = options.clusterStateMachineArn;
      if (tableName === undefined || stateMachineArn === undefined) {
        if (options.stage === undefined) throw new InputValidationError('--stage', 'is required to find the progress table and the cluster workflow (or give --table and --cluster-state-machine-arn)');
        const cfn = new CloudFormationClient(sdkClientConfig(aws));
        try {
          const stack = await readStackOutputs(cfn, options.stage);
          tableName ??= stack.require(StackOutput.PROGRESS_TABLE);
          stateMachineArn ??= stack.require(StackOutput.CLUSTER_STATE_MACHINE);
        } finally {
          cfn.destroy();
        }
      }
      progress = await openAwsProgress(tableName, aws);
      const key = options.cluster;
      // The history's rules here, for the operator to confirm; the workflow checks them all again with the add-on as it is.
      const candidate = rollbackCandidate(key, await findLastHop(progress.store, key));
      if (!options.yes && !(await confirm(`cni-fleet: roll back ${key} from ${candidate.from} to ${candidate.to}, undoing ${candidate.what}? [y/N] `))) throw new RollbackDeclinedError(key);
      const name = `rollback-${cluster.clusterName}-${new Date().toISOString().replace(/[:.]/g, '-')}`.slice(0, 80);
      const input = {
        cluster: { name: cluster.clusterName, region: cluster.region, accountId: cluster.accountId },
        rollback: { from: candidate.from, to: candidate.to, ...(options.reason ? { reason: options.reason.trim() } : {}) },
        trigger: 'cli',
      };
      sfn = new SFNClient(sdkClientConfig(aws));
      const started = await startRun(sfn, { stateMachineArn, name, input });
      const document = { cluster: key, from: candidate.from, to: candidate.to, undoes: { runId: candidate.last.runId, hop: candidate.last.hop.index, outcome: candidate.last.hop.outcome }, execution: started, input };
      io.out(
        formatResult(document, output, () => `Rollback of ${key} started: ${candidate.from} → ${candidate.to} (undoing ${candidate.what}).\nExecution: ${started.executionArn}\nConsole: ${started.consoleUrl}\nNext: cni-fleet status ${name} --stage ${options.stage ?? '…'}\n`),
      );
      return ExitCode.OK;
    } finally {
      sfn?.destroy();
      await progress?.close();
    }
  });
}
