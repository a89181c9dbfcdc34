import { writeFile } from 'node:fs/promises';
import { formatResult } from '../../lib/cli/output.js';
import { clusterRunView } from '../../lib/operator/cluster-run-view.js';
import { checkExecutionInput, executionNameFor } from '../../lib/operator/execution-input-file.js';
import { RunNotFoundError } from '../../lib/operator/operator-errors.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { retryInput } from '../../lib/operator/retry-input.js';
import { ExitCode, type CommandIo, type ProgressOptions } from '../commands/cli-helpers.js';
import { checkOutputFile, commandOutput, intervalOption, runCommand } from './common.js';
import { openRunLog, readsLocal } from './progress-log.js';
import { InputValidationError } from '../../lib/errors.js';
import { looksLikeExecutionArn } from '../../lib/operator/execution-arn.js';
import { startChecked } from './start.js';
import { parseOnly } from './status.js';

/** The options of `cni-fleet retry` as commander parses them (bin/commands/retry.ts declares them). */
export interface RetryOptions extends ProgressOptions {
  only: string;
  out?: string;
  writeOnly?: boolean;
  name?: string;
  wait?: boolean;
  interval: string;
}

/** `cni-fleet retry`: exit 0 written (and started), 1 failure, 2 bad input, 3/130 with --wait. */
export async function runRetry(run: string, options: RetryOptions, io: CommandIo): Promise<number> {
  let source: ProgressSource | undefined;
  return runCommand(io, 'retry', options, async () => {
    let written: { file: string; runId: string; clusters: number; local: boolean };
    const output = await commandOutput(options, io);
    const intervalMs = intervalOption(options.interval);
    const statuses = parseOnly(options.only) ?? ['FAILED'];
    const name = executionNameFor({ name: options.name });
    if (options.out !== undefined) await checkOutputFile(options.out, '--out');
    // Starting needs the stage's fleet workflow: refuse now rather than after the file is written.
    if (!options.writeOnly && options.stage === undefined && !readsLocal(options, !looksLikeExecutionArn(run)))
      throw new InputValidationError('--stage', 'is needed to start the retry (or pass --write-only, or --local for a rehearsal)');
    let checked;
    try {
      const opened = await openRunLog(run, options);
      source = opened.source;
      const out = options.out ?? `retry-${opened.runId}.json`;
      await checkOutputFile(out, '--out');
      const [runItem, records] = await Promise.all([source.store.getRun(opened.runId), source.store.listRunClusters(opened.runId)]);
      if (runItem === null && records.length === 0) throw new RunNotFoundError(opened.runId, source.description);
      const input = retryInput(runItem, records.map((r) => clusterRunView(opened.runId, r)), statuses);
      if (input === null) {
        io.out(formatResult({ runId: opened.runId, statuses, file: null, clusters: [] }, output, () => `No ${statuses.join(' or ')} cluster in run ${opened.runId}: nothing to retry.\n`));
        return ExitCode.OK;
      }
      const text = `${JSON.stringify(input, null, 2)}\n`;
      // Validated exactly as `start` validates a file, before it is written or started.
      checked = checkExecutionInput(text, out, 'fleet');
      await writeFile(out, text);
      written = { file: out, runId: opened.runId, clusters: (input['clusters'] as unknown[]).length, local: opened.local };
    } finally {
      await source?.close();
    }
    const summary = `Wrote ${written.file}: ${written.clusters} ${statuses.join('/')} cluster(s) of run ${written.runId}.\n`;
    if (written.local || options.writeOnly) {
      const next = written.local ? `Rehearse it: cni-fleet rehearse --fleet FLEET_FILE --input ${written.file}\n` : `Start it: cni-fleet start --stage ${options.stage ?? 'STAGE'} --input ${written.file}\n`;
      io.out(formatResult({ ...written, started: null }, output, () => summary + next));
      return ExitCode.OK;
    }
    if (output.format === 'table') io.out(summary);
    return startChecked({ checked, file: written.file, name, options: { ...options, stateMachineArn: undefined }, intervalMs }, io);
  });
}
