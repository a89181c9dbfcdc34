import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import { InputValidationError } from '../../lib/errors.js';
import { formatResult } from '../../lib/cli/output.js';
import { createTable } from '../../lib/cli/table.js';
import { safeText } from '../../lib/cli/terminal-text.js';
import { parseFleetFile, type FleetFile } from '../../lib/fleet/fleet-file.js';
import { rehearse, type RehearsalOptions, type Recovery, type RehearsalReport, type RehearsalSelection, type ReportCluster } from '../../rehearsal/rehearsal.js';
import { renderReportHtml } from '../../lib/report/report-html.js';
import { reportFromRehearsal } from '../../lib/report/run-report.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { checkExecutionInput } from '../../lib/operator/execution-input-file.js';
import { colorStatus } from '../../lib/operator/render-progress.js';
import type { UpgradeOptionsInput } from '../../lib/schemas/upgrade-options.js';
import type { JsonObject } from '../../lib/json.js';
import { ExitCode, processIo, type OutputOptions } from '../commands/cli-helpers.js';
import { checkOutputDir, commandOutput, intOption, readOptionFile, runCommand } from './common.js';

/** The options of `cni-fleet rehearse` as commander parses them (bin/commands/rehearse.ts declares them). */
export interface RehearseOptions extends OutputOptions {
  fleet: string;
  input?: string;
  target?: string;
  lanesAtOnce?: string;
  perLaneConcurrency?: string;
  failureThreshold?: string;
  speed: string;
  dryRun?: boolean;
  approve?: 'auto' | 'prompt' | 'wait';
  kubernetesAccess?: string;
  soak?: string;
  dataDir: string;
  reportDir: string;
}

const STEP_LABEL: Record<string, string> = {
  AcquireLock: 'locking',
  TakeSnapshot: 'snapshot',
  PlanUpgrade: 'planned',
  ApplyHop: 'updating',
  PollHop: 'polling',
  VerifyUpgrade: 'verified',
  RecordFailure: 'failed',
  RecordDryRun: 'planned (dry run)',
};

const recoveryLine = (r: Recovery): string => {
  const what = r.runId
    ? `run ${r.runId} ${r.runClosed ? 'closed ABORTED' : 'had already ended'}, ${r.abortedClusters.length} cluster(s) closed ABORTED, ${r.releasedLocks.length} lock(s) released`
    : 'it had not started a run';
  return `cni-fleet: recovered ${r.dataDir} from process ${r.previous.pid}, which ended without closing it (killed or crashed, since ${r.previous.startedAt}): ${what}\n`;
};

const ACCESS_MODES = ['required', 'best-effort', 'off'] as const;

/** `--kubernetes-access`: one of the modes of options.kubernetesAccess (docs/rollout-gate.md). */
const kubernetesAccessOption = (text: string): (typeof ACCESS_MODES)[number] => {
  const mode = ACCESS_MODES.find((m) => m === text);
  if (!mode) throw new InputValidationError('--kubernetes-access', `"${text}" must be one of ${ACCESS_MODES.join(', ')}`);
  return mode;
};

/** What the operator asked for: the input file's selection and options, then the options given on the command line. */
interface Request {
  readonly fleet: FleetFile;
  readonly selection?: RehearsalSelection;
  readonly options: UpgradeOptionsInput;
}

async function readRequest(options: RehearseOptions): Promise<Request> {
  const fleetText = await readOptionFile(options.fleet, '--fleet');
  let fleet: FleetFile;
  try {
    fleet = parseFleetFile(fleetText);
  } catch (error) {
    if (error instanceof InputValidationError) throw new InputValidationError(error.field, `${error.problem} (fleet file ${options.fleet})`, { cause: error });
    throw error;
  }
  let selection: RehearsalSelection | undefined;
  let fromInput: JsonObject = {};
  if (options.input !== undefined) {
    const checked = checkExecutionInput(await readOptionFile(options.input, '--input'), options.input);
    type Target = { name: string; region: string; accountId?: string; roleArn?: string };
    const input = checked.input as { cluster?: Target; clusters?: Target[]; selector?: JsonObject; waveTag?: string; skipTag?: string; options?: JsonObject };
    selection = input.cluster ? { clusters: [input.cluster] } : { clusters: input.clusters, selector: input.selector, waveTag: input.waveTag, skipTag: input.skipTag };
    fromInput = input.options ?? {};
  }
  // Only what was given: the workflow's schema fills in the rest, exactly as for a deployed run.
  const given: UpgradeOptionsInput = {
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.lanesAtOnce !== undefined ? { lanesAtOnce: intOption(options.lanesAtOnce, 'lanes-at-once', 1, 10_000) } : {}),
    ...(options.perLaneConcurrency !== undefined ? { perLaneConcurrency: intOption(options.perLaneConcurrency, 'per-lane-concurrency', 1, 40) } : {}),
    ...(options.failureThreshold !== undefined ? { failureThreshold: intOption(options.failureThreshold, 'failure-threshold', 0, 10_000) } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.kubernetesAccess !== undefined ? { kubernetesAccess: kubernetesAccessOption(options.kubernetesAccess) } : {}),
    ...(options.soak !== undefined ? { rolloutSoakSeconds: intOption(options.soak, 'soak', 0, 1800) } : {}),
  };
  return { fleet, ...(selection ? { selection } : {}), options: { ...(fromInput as UpgradeOptionsInput), ...given } };
}

/** The live view on stderr: a bar on a terminal, a line per step elsewhere; nothing when stdout is the report. */
function progressView(total: number, quiet: boolean): { onTask: (e: TaskEvent) => void; stop: (last?: string) => void; interrupt: () => void } {
  const tty = process.stderr.isTTY === true && !quiet;
  const bar = tty ? new cliProgress.SingleBar({ format: ' {bar} {value}/{total} clusters | {last}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  bar?.start(total, 0, { last: '' });
  const done = new Set<string>();
  const onTask = (e: TaskEvent): void => {
    const input = e.input as { cluster?: { name?: string }; hop?: { index?: number }; plan?: { hopCount?: number } } | undefined;
    const name = input?.cluster?.name;
    if (!name || quiet) return;
    // RecordFailure ends a cluster FAILED, BLOCKED or SKIPPED: show which, not a blanket "failed".
    const ended = e.stateName === 'RecordFailure' ? (e.output as { status?: string } | undefined)?.status?.toLowerCase() : undefined;
    const label = ended ?? STEP_LABEL[e.stateName];
    if (!label) return;
    const hop = (e.output as { index?: number } | undefined)?.index ?? input?.hop?.index;
    const line = safeText(`${name}: ${e.error ? `${label} ✗ ${e.error.name}` : label}${hop && input?.plan?.hopCount ? ` (hop ${hop}/${input.plan.hopCount})` : ''}`, { oneLine: true });
    if (['VerifyUpgrade', 'RecordFailure', 'RecordDryRun'].includes(e.stateName) && !e.error) done.add(name);
    if (bar) bar.update(done.size, { last: line });
    else if (e.stateName !== 'PollHop') process.stderr.write(`${line}\n`);
  };
  return {
    onTask,
    stop: (last = 'done') => {
      bar?.update(total, { last });
      bar?.stop();
    },
    interrupt: () => bar?.stop(),
  };
}

/**
 * The rehearsal's table: one row per cluster. A FAILED cluster shows the version it reached (what it runs now),
 * not only its target; a dry run shows each cluster's planned hops; notes are whole, wrapped, never cut.
 */
function renderRehearsalTable(report: Pick<RehearsalReport, 'clusters' | 'dryRun'>, color: boolean): string {
  const c = pc.createColors(color);
  const table = createTable(['Cluster', 'Status', 'From', report.dryRun ? 'Planned hops' : 'Reached', 'Target', 'Hops', 'Note'], { color, colWidths: [null, null, null, null, null, null, 56] });
  const hopsCell = (cl: ReportCluster): string =>
    report.dryRun ? String(cl.plannedHops.length) : `${cl.hops.filter((h) => h.status === 'SUCCEEDED').length}/${Math.max(cl.plannedHops.length, cl.hops.length)}`;
  const pathCell = (cl: ReportCluster): string => (report.dryRun ? (cl.plannedHops.length ? cl.plannedHops.map((h) => h.to).join('\n') : c.dim('none')) : (cl.reached ?? ''));
  for (const cl of report.clusters)
    table.push([
      `${safeText(cl.name)}\n${c.dim(cl.region)}`,
      colorStatus(cl.status, c),
      cl.from ?? '',
      pathCell(cl),
      cl.to ?? '',
      hopsCell(cl),
      cl.error ? safeText(`${cl.error.name}: ${cl.error.message}`, { oneLine: true }) : '',
    ]);
  return `${table.toString()}\n`;
}

/**
 * `--approve prompt`: asks in the terminal whether the waiting wave may start. Another client's answer (`cni-fleet
 * approve|reject --local`) withdraws the question.
 */
function promptApproval(view: { interrupt: () => void }): NonNullable<RehearsalOptions['onApprovalRequest']> {
  return async (request, signal) => {
    view.interrupt();
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const wave = `wave ${request.wave.index + 1} (${request.wave.name || 'untagged'}, ${request.wave.clusters} cluster(s))`;
      const answer = (await rl.question(`cni-fleet: run ${request.runId}: approve ${wave}? [y = approve / n = reject] `, { signal })).trim().toLowerCase();
      const by = `${userInfo().username} (rehearse --approve prompt)`;
      if (answer === 'y' || answer === 'yes') return { approve: true, by, note: null };
      const reason = (await rl.question('cni-fleet: reason for rejecting: ', { signal })).trim() || 'rejected at the prompt';
      return { approve: false, by, reason };
    } catch {
      // Withdrawn (answered elsewhere, or the run stopped) or the terminal closed: leave the gate to others.
      return null;
    } finally {
      rl.close();
    }
  };
}

/** `cni-fleet rehearse`: exit 0 when the fleet execution SUCCEEDED, 3 when it ended FAILED (the report still written), 2 on bad input (nothing ran), 1 on another failure. */
export async function runRehearse(options: RehearseOptions): Promise<number> {
  const io = processIo;
  return runCommand(io, 'rehearse', options, async () => {
    // Everything the operator gave is checked before the simulator or the database starts.
    const output = await commandOutput(options, io);
    const request = await readRequest(options);
    const speed = intOption(options.speed, 'speed', 1, 100_000);
    await checkOutputDir(options.reportDir, '--report-dir');
    await checkOutputDir(options.dataDir, '--data-dir');
    const view = progressView(request.fleet.clusters.length, output.format !== 'table');
    // Ctrl-C or SIGTERM stops the run cleanly: executions aborted, locks released, records closed ABORTED, the
    // report written, exit 130. A second signal quits at once.
    const interrupt = new AbortController();
    const onSignal = (): void => {
      if (interrupt.signal.aborted) process.exit(ExitCode.INTERRUPTED);
      interrupt.abort();
      view.interrupt();
      io.err('cni-fleet: interrupted: stopping the run, releasing its locks and writing the report (again to quit at once)\n');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    mkdirSync(options.dataDir, { recursive: true });
    let report;
    try {
      report = await rehearse({
        fleet: request.fleet,
        speed,
        dataDir: options.dataDir,
        options: request.options,
        ...(request.selection ? { selection: request.selection } : {}),
        onTask: view.onTask,
        signal: interrupt.signal,
        onRecovery: (r) => io.err(recoveryLine(r)),
        approve: options.approve ?? 'auto',
        onNotice: (notice) => io.err(`cni-fleet: ${safeText(notice.message, { oneLine: true })}\n`),
        ...(options.approve === 'prompt' ? { onApprovalRequest: promptApproval(view) } : {}),
      });
    } catch (error) {
      // Another process holds the folder (DataDirInUseError): one line naming it and the process, nothing started.
      view.interrupt();
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await report.close();
    view.stop(report.interrupted ? 'interrupted' : 'done');
    const { store: _store, close: _close, ...plain } = report;
    mkdirSync(options.reportDir, { recursive: true });
    const base = join(options.reportDir, report.runId);
    writeFileSync(`${base}.json`, `${JSON.stringify(plain, null, 2)}\n`);
    writeFileSync(`${base}.html`, renderReportHtml(reportFromRehearsal(plain)));
    const aborted = report.clusters.filter((c) => c.status === 'ABORTED').length;
    if (report.interrupted) io.err(`cni-fleet: interrupted: ${aborted} cluster(s) ABORTED, their locks released; report ${base}.json\n`);
    io.out(
      formatResult(plain, output, () => {
        const s = report.summary;
        return (
          renderRehearsalTable(plain, output.color) +
          `${s.total} clusters: ${Object.entries(s.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}; ${s.hops} hops, ${s.eksCalls} EKS calls (${s.eksMutatingCalls} mutating), ${s.virtualSeconds} s simulated in ${s.realSeconds} s.\n` +
          `Report: ${base}.json and ${base}.html\n` +
          `Next: cni-fleet status ${report.runId} --local${options.dataDir === '.rehearsal/dynamo' ? '' : ` ${options.dataDir}`} --only FAILED\n`
        );
      }),
    );
    if (report.interrupted) return ExitCode.INTERRUPTED;
    // The fleet execution's verdict on one line, with the exit code `start --wait` uses for a failed run.
    if (report.execution.status === 'FAILED') {
      io.err(`cni-fleet: fleet run ${report.runId} ended FAILED: ${report.execution.cause ?? report.execution.error}\n`);
      return ExitCode.RUN_FAILED;
    }
    return ExitCode.OK;
  });
}
