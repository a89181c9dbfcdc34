import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Table from 'cli-table3';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import pc from 'picocolors';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import { DataDirInUseError } from '../../lib/local/data-dir-owner.js';
import { rehearse } from '../../lib/local/rehearsal.js';
import type { Recovery } from '../../lib/local/rehearsal.js';
import { renderReportHtml } from '../../lib/local/report-html.js';
import type { TaskEvent } from '../../lib/local/workflow-runner.js';
import { ExitCode, exitOnInputError, intOption } from './cli-helpers.js';

const STEP_LABEL: Record<string, string> = {
  AcquireLock: 'locking',
  TakeSnapshot: 'snapshot',
  PlanUpgrade: 'planned',
  ApplyHop: 'updating',
  PollHop: 'polling',
  RecordHop: 'hop done',
  VerifyUpgrade: 'verified',
  RecordFailure: 'failed',
  RecordDryRun: 'planned (dry run)',
};

const colorStatus = (s: string): string =>
  s === 'UPGRADED' ? pc.green(s) : s === 'FAILED' || s === 'ABORTED' ? pc.red(s) : s === 'BLOCKED' ? pc.yellow(s) : s === 'UNCHANGED' || s === 'PLANNED' ? pc.cyan(s) : pc.dim(s);

/** Exit status of a rehearsal stopped by SIGINT or SIGTERM (128 + SIGINT, as shells report Ctrl-C). */
const INTERRUPTED = 130;

const recoveryLine = (r: Recovery): string => {
  const what = r.runId
    ? `run ${r.runId} ${r.runClosed ? 'closed ABORTED' : 'had already ended'}, ${r.abortedClusters.length} cluster(s) closed ABORTED, ${r.releasedLocks.length} lock(s) released`
    : 'it had not started a run';
  return `cni-fleet: recovered ${r.dataDir} from process ${r.previous.pid}, which ended without closing it (killed or crashed, since ${r.previous.startedAt}): ${what}\n`;
};

export function registerRehearse(program: Command): void {
  program
    .command('rehearse')
    .description('Rehearse a fleet upgrade on this machine: the real workflow definitions and handlers against the EKS simulator and a local DynamoDB.')
    .requiredOption('--fleet <file>', 'fleet file (JSON): the simulated clusters')
    .option('--target <target>', 'default | latest | vX.Y.Z-eksbuild.N', 'default')
    .option('--lanes-at-once <n>', 'lanes (account × Region) upgraded at once within a wave (1-10000)', '10')
    .option('--per-lane-concurrency <n>', 'clusters upgraded at once in one lane (1-40)', '5')
    .option('--failure-threshold <n>', 'halt later waves after this many failed clusters (0: never)', '0')
    .option('--speed <n>', 'virtual seconds per real second', '100')
    .option('--dry-run', 'plan and record only; change nothing', false)
    .option('--data-dir <dir>', 'where dynalite keeps the progress log', '.rehearsal/dynamo')
    .option('--report-dir <dir>', 'where the JSON and HTML reports go', 'reports')
    .option('--json', 'print only the report as JSON on stdout', false)
    .action(async (opts: Record<string, string | boolean>) => {
      await exitOnInputError(async () => {
        const fleet = parseFleetFile(readFileSync(String(opts.fleet), 'utf8'));
        const json = opts.json === true;
        const tty = process.stderr.isTTY && !json;
        const bar = tty ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} clusters | {last}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
        bar?.start(fleet.clusters.length, 0, { last: '' });
        const done = new Set<string>();
        const onTask = (e: TaskEvent): void => {
          const input = e.input as { cluster?: { name?: string }; hop?: { index?: number }; plan?: { hopCount?: number } } | undefined;
          const name = input?.cluster?.name;
          if (!name || json) return;
          // RecordFailure ends a cluster FAILED, BLOCKED or SKIPPED: show which, not a blanket "failed".
          const ended = e.stateName === 'RecordFailure' ? (e.output as { status?: string } | undefined)?.status?.toLowerCase() : undefined;
          const label = ended ?? STEP_LABEL[e.stateName];
          if (!label) return;
          const hop = (e.output as { index?: number } | undefined)?.index ?? input?.hop?.index;
          const line = `${name}: ${e.error ? `${label} ✗ ${e.error.name}` : label}${hop && input?.plan?.hopCount ? ` (hop ${hop}/${input.plan.hopCount})` : ''}`;
          if (['VerifyUpgrade', 'RecordFailure', 'RecordDryRun'].includes(e.stateName) && !e.error) done.add(name);
          if (bar) bar.update(done.size, { last: line });
          else if (e.stateName !== 'PollHop') process.stderr.write(`${line}\n`);
        };
        // Ctrl-C or SIGTERM stops the run cleanly: executions aborted, locks released, records closed ABORTED,
        // the report written, exit 130. A second signal quits at once.
        const interrupt = new AbortController();
        const onSignal = (): void => {
          if (interrupt.signal.aborted) process.exit(INTERRUPTED);
          interrupt.abort();
          bar?.stop();
          process.stderr.write('cni-fleet: interrupted: stopping the run, releasing its locks and writing the report (again to quit at once)\n');
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const options = {
          target: String(opts.target),
          lanesAtOnce: intOption(opts.lanesAtOnce, 'lanes-at-once', 1, 10_000),
          perLaneConcurrency: intOption(opts.perLaneConcurrency, 'per-lane-concurrency', 1, 40),
          failureThreshold: intOption(opts.failureThreshold, 'failure-threshold', 0, 10_000),
          dryRun: opts.dryRun === true,
        };
        const speed = intOption(opts.speed, 'speed', 1, 100_000);
        let report;
        try {
          report = await rehearse({
            fleet,
            speed,
            dataDir: String(opts.dataDir),
            options,
            onTask,
            signal: interrupt.signal,
            onRecovery: (r) => process.stderr.write(recoveryLine(r)),
          });
        } catch (error) {
          bar?.stop();
          // Another process holds the folder: one line naming it and the process, nothing was started.
          if (error instanceof DataDirInUseError) {
            process.stderr.write(`cni-fleet: ${error.message}\n`);
            process.exitCode = 1;
            return;
          }
          throw error;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        await report.close();
        bar?.update(fleet.clusters.length, { last: report.interrupted ? 'interrupted' : 'done' });
        bar?.stop();
        const { store: _store, close: _close, ...plain } = report;
        mkdirSync(String(opts.reportDir), { recursive: true });
        const base = join(String(opts.reportDir), `${report.runId}`);
        writeFileSync(`${base}.json`, `${JSON.stringify(plain, null, 2)}\n`);
        writeFileSync(`${base}.html`, renderReportHtml(plain));
        if (report.interrupted) process.exitCode = INTERRUPTED;
        const aborted = report.clusters.filter((c) => c.status === 'ABORTED').length;
        const interruptedLine = `cni-fleet: interrupted: ${aborted} cluster(s) ABORTED, their locks released; report ${base}.json\n`;
        // The fleet execution's verdict, on one line, with the exit code `start --wait` uses for a failed run.
        const verdict = (): void => {
          if (report.interrupted) {
            process.stderr.write(interruptedLine);
            return;
          }
          if (report.execution.status === 'SUCCEEDED') return;
          process.stderr.write(`cni-fleet: fleet run ${report.runId} ended FAILED: ${report.execution.cause ?? report.execution.error}\n`);
          process.exitCode = ExitCode.RUN_FAILED;
        };
        if (json) {
          process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
          verdict();
          return;
        }
        const table = new Table({ head: ['cluster', 'region', 'status', 'from', 'to', 'hops', 'note'] });
        for (const c of report.clusters)
          table.push([c.name, c.region, colorStatus(c.status), c.from ?? '', c.to ?? '', String(c.hops.filter((h) => h.status === 'SUCCEEDED').length), c.error ? `${c.error.name}: ${c.error.message}`.slice(0, 70) : '']);
        process.stdout.write(`${table.toString()}\n`);
        const s = report.summary;
        process.stdout.write(
          `${s.total} clusters: ${Object.entries(s.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}; ${s.hops} hops, ${s.eksCalls} EKS calls (${s.eksMutatingCalls} mutating), ${s.virtualSeconds} s simulated in ${s.realSeconds} s.\nReport: ${base}.json and ${base}.html\n`,
        );
        verdict();
      });
    });
}
