import { SFNClient } from '@aws-sdk/client-sfn';
import { InputValidationError } from '../../lib/errors.js';
import { formatResult } from '../../lib/cli/output.js';
import { sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { listDeployedRuns, listLocalRuns, parseSince, renderRunsTable, type RunSummary } from '../../lib/operator/list-runs.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { MACHINE_OUTPUT } from '../../lib/operator/stack-outputs.js';
import { RunStatus } from '../../lib/store/progress-items.js';
import { ExitCode, type CommandIo, type ProgressOptions } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, intOption, runCommand } from './common.js';
import { openDeployedLog, openLocalLog, readsLocal, stageOutputs } from './progress-log.js';

/** The options of `cni-fleet runs` as commander parses them (bin/commands/runs.ts declares them). */
export interface RunsOptions extends ProgressOptions {
  since?: string;
  status?: string;
  limit: string;
  machine: 'fleet' | 'cluster';
}

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

function checkStatus(status: string | undefined, allowed: readonly string[]): string | undefined {
  if (status === undefined) return undefined;
  const upper = status.toUpperCase();
  if (!allowed.includes(upper)) throw new InputValidationError('--status', `"${status}" must be one of ${allowed.join(', ')}`);
  return upper;
}

/** `cni-fleet runs`: exit 0 listed, 1 failure, 2 bad input. */
export async function runRuns(options: RunsOptions, io: CommandIo): Promise<number> {
  let sfn: SFNClient | undefined;
  let progress: ProgressSource | undefined;
  return runCommand(io, 'runs', options, async () => {
    try {
      const output = await commandOutput(options, io);
      const limit = intOption(options.limit, 'limit', 1, 1000);
      const since = parseSince(options.since);
      let runs: RunSummary[];
      let source: string;
      if (readsLocal(options, true)) {
        const status = checkStatus(options.status, Object.values(RunStatus));
        progress = await openLocalLog(options);
        runs = await listLocalRuns(progress.store, { status, since, limit });
        source = progress.description;
      } else {
        const status = checkStatus(options.status, EXECUTION_STATUSES);
        const aws = awsOptions(options);
        const stack = await stageOutputs(options, aws);
        progress = await openDeployedLog(options, aws, stack);
        sfn = new SFNClient(sdkClientConfig(aws));
        const stateMachineArn = stack.require(MACHINE_OUTPUT[options.machine]);
        runs = await listDeployedRuns(sfn, progress.store, stateMachineArn, { status, since, limit });
        source = `${stateMachineArn} and ${progress.description}`;
      }
      io.out(formatResult({ source, runs }, output, () => renderRunsTable(runs, { color: output.color })));
      return ExitCode.OK;
    } finally {
      sfn?.destroy();
      await progress?.close();
    }
  });
}
