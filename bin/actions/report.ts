import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { formatResult } from '../../lib/cli/output.js';
import { RunNotFoundError } from '../../lib/operator/operator-errors.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { renderReportHtml } from '../../lib/report/report-html.js';
import { reportFromRecords } from '../../lib/report/run-report.js';
import { ExitCode, type CommandIo, type ProgressOptions } from '../commands/cli-helpers.js';
import { checkOutputFile, commandOutput, runCommand } from './common.js';
import { openRunLog } from './progress-log.js';

/** The options of `cni-fleet report` as commander parses them (bin/commands/report.ts declares them). */
export interface ReportOptions extends ProgressOptions {
  out?: string;
}

/** `cni-fleet report`: exit 0 written, 1 failure (e.g. no such run), 2 bad input. */
export async function runReport(run: string, options: ReportOptions, io: CommandIo): Promise<number> {
  let source: ProgressSource | undefined;
  return runCommand(io, 'report', options, async () => {
    try {
      const output = await commandOutput(options, io);
      if (options.out !== undefined) await checkOutputFile(options.out, '--out');
      const opened = await openRunLog(run, options);
      source = opened.source;
      const out = options.out ?? join('reports', `${opened.runId}.html`);
      await checkOutputFile(out, '--out');
      const [runItem, records] = await Promise.all([source.store.getRun(opened.runId), source.store.listRunClusters(opened.runId)]);
      if (runItem === null && records.length === 0) throw new RunNotFoundError(opened.runId, source.description);
      const report = reportFromRecords({ runId: opened.runId, run: runItem, records, source: source.description });
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, renderReportHtml(report));
      io.out(formatResult({ file: out, report }, output, () => `Report of run ${opened.runId} (${report.clusters.length} clusters): ${out}\n`));
      return ExitCode.OK;
    } finally {
      await source?.close();
    }
  });
}
