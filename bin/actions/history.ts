import { formatResult } from '../../lib/cli/output.js';
import { readClusterHistory } from '../../lib/operator/cluster-history.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { renderClusterHistory } from '../../lib/operator/render-progress.js';
import { ExitCode, type CommandIo, type ProgressOptions } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, intOption, runCommand } from './common.js';
import { openDeployedLog, openLocalLog, readsLocal } from './progress-log.js';

/** The options of `cni-fleet history` as commander parses them (bin/commands/history.ts declares them). */
export interface HistoryOptions extends ProgressOptions {
  cluster: string;
  clusterRegion?: string;
  limit: string;
}

/** `cni-fleet history`: exit 0 shown, 1 failure, 2 bad input. */
export async function runHistory(options: HistoryOptions, io: CommandIo): Promise<number> {
  let source: ProgressSource | undefined;
  return runCommand(io, 'history', options, async () => {
    try {
      const output = await commandOutput(options, io);
      const limit = intOption(options.limit, 'limit', 1, 1000);
      source = readsLocal(options, true) ? await openLocalLog(options) : await openDeployedLog(options, awsOptions(options));
      const runs = await readClusterHistory(source.store, { cluster: options.cluster, region: options.clusterRegion, limit });
      const document = { cluster: options.cluster, clusterRegion: options.clusterRegion ?? null, source: source.description, table: source.tableName, runs };
      const where = source.description;
      io.out(
        formatResult(document, output, () =>
          runs.length === 0
            ? `No history for ${options.cluster}${options.clusterRegion ? ` in ${options.clusterRegion}` : ''} in ${where}.\n`
            : `History of ${options.cluster} (${where}), newest first:\n${renderClusterHistory(runs, { color: output.color })}`,
        ),
      );
      return ExitCode.OK;
    } finally {
      await source?.close();
    }
  });
}
