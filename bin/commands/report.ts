import type { Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, addProgressOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { ReportOptions } from '../actions/report.js';

/**
 * Registers `cni-fleet report RUN`: the HTML report of a deployed run (from the progress table) or of a local
 * rehearsal's run — the same page `rehearse` writes.
 *
 * @example
 * registerReport(new Command('cni-fleet')); // cni-fleet report weekly-2026-48 --stage prod --out weekly.html
 */
export function registerReport(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('report')
    .summary('write the HTML report of a run (deployed or rehearsed)')
    .description(
      'Read RUN from the progress log — the deployed table (--stage or --table) or a local rehearsal\'s (--local, the ' +
        'default without either) — and write its report as one self-contained HTML file: the same page `rehearse` ' +
        'writes, with each cluster\'s hops on a time axis, failures first. Prints the file\'s path (or, with ' +
        '--output json, the report\'s data).',
    )
    .argument('<run>', 'run id, or the execution ARN of the run')
    .option('--out <file>', 'the HTML file to write (default: reports/RUN.html)');
  addProgressOptions(command, 'read a local rehearsal\'s run');
  addAwsOptions(command, 'of the progress table')
    .addHelpText(
      'after',
      ENVIRONMENT_HELP +
        exitCodesHelp('0 written') +
        '\nExamples:\n' +
        '  cni-fleet report weekly-2026-48 --stage prod --out weekly-2026-48.html\n' +
        '  cni-fleet report rehearsal-2026-12-06T10-00-00-000Z --local',
    )
    .action(async (run: string, options: ReportOptions) => {
      const { runReport } = await import('../actions/report.js');
      io.exit(await runReport(run, options, io));
    });
}
