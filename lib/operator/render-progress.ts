import pc from 'picocolors';
import { createTable } from '../cli/table.js';
import { safeText } from '../cli/terminal-text.js';
import type { ClusterRunView, HopView } from './cluster-run-view.js';
import type { RecordedNodeFault } from '../store/progress-store.js';
import type { RunProgress } from './run-progress.js';

const pollsText = (n: number): string => `${n} poll${n === 1 ? '' : 's'}`;

/** Rendering options. */
export interface RenderOptions {
  /** ANSI colours; default none (the caller decides: a terminal, NO_COLOR, --no-color). */
  readonly color?: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

const colors = (options: RenderOptions): Colors => pc.createColors(options.color ?? false);

// Text from the progress log may quote EKS (error messages, health issues): never let it steer the terminal.
const t = (text: string | null | undefined): string => safeText(text ?? '', { oneLine: true });

/**
 * Colours a cluster status, execution status or hop outcome: success green, failure red, refusals yellow,
 * skipped dim (neutral).
 *
 * @example
 * colorStatus('FAILED', pc) // '\x1b[31mFAILED\x1b[39m'
 */
export function colorStatus(status: string, c: Colors): string {
  if (['UPGRADED', 'SUCCEEDED'].includes(status)) return c.green(status);
  if (['FAILED', 'TIMED_OUT', 'ABORTED'].includes(status)) return c.red(status);
  if (['BLOCKED', 'HALTED'].includes(status)) return c.yellow(status);
  if (['UNCHANGED', 'PLANNED'].includes(status)) return c.cyan(status);
  if (status === 'SKIPPED') return c.dim(status);
  return status;
}

const durationText = (seconds: number | null): string => {
  if (seconds === null) return '…';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
};

/**
 * One line per cluster for logs and non-TTY progress: `prod (us-east-1) RUNNING PollHop hop 2/3 → v1.20.5-eksbuild.1`.
 *
 * @example
 * clusterLine(progress.clusters[0]) // 'payments-prod (us-east-1) UPGRADED VerifyUpgrade hops 3/3'
 */
export function clusterLine(cluster: ClusterRunView): string {
  const hop = cluster.currentHop !== null ? ` hop ${cluster.currentHop}/${cluster.hopCount} → ${cluster.hops.find((h) => h.index === cluster.currentHop)?.version ?? '?'}` : ` hops ${cluster.hopsDone}/${cluster.hopCount}`;
  const error = cluster.error ? ` ${cluster.error.name}: ${t(cluster.error.message)}` : '';
  return t(`${cluster.name} (${cluster.region}) ${cluster.status}${cluster.step ? ` ${cluster.step}` : ''}${hop}${error}`);
}

function noteCell(cluster: ClusterRunView, c: Colors): string {
  if (cluster.error) return c.red(`${t(cluster.error.name)}: ${t(cluster.error.message)}`);
  if (cluster.currentHop !== null) {
    const hop = cluster.hops.find((h) => h.index === cluster.currentHop);
    return hop ? `${t(hop.version)}${hop.updateId ? ` ${c.dim(t(hop.updateId))}` : ''}, ${pollsText(hop.polls)}` : '';
  }
  return '';
}

/** The versions cell: where the cluster started, where it is now (the version its last hop reached) and its target. */
const versionsCell = (cl: ClusterRunView, c: Colors): string =>
  `${t(cl.from) || '—'}\n→ ${cl.version !== cl.from ? t(cl.version) : c.dim('(unchanged)')}\n${c.dim(`target ${t(cl.target) || '—'}`)}`;

/**
 * An execution (or a local run) and its clusters as a table for people: the execution's status, error and
 * console-visible facts, then one row per cluster with hop n/m, current step, the version it reached and its outcome.
 *
 * @example
 * process.stdout.write(renderRunProgress(await readRunProgress({ sfn, store, executionArn }), { color: false }))
 */
export function renderRunProgress(progress: RunProgress, options: RenderOptions = {}): string {
  const c = colors(options);
  const e = progress.execution;
  const lines = e
    ? [
        `Execution  ${e.executionArn}`,
        `Status     ${colorStatus(e.status, c)}${e.error ? ` ${c.red(t(e.error))}${e.cause ? `: ${t(e.cause)}` : ''}` : ''}`,
        `Run        ${progress.runId}${progress.run ? ` (${colorStatus(progress.run.status, c)}, trigger ${progress.run.trigger})` : ''}`,
        `Started    ${e.startDate ?? '—'}${e.stopDate ? `   stopped ${e.stopDate}` : ''}`,
      ]
    : [
        `Run        ${progress.runId}${progress.run ? ` (${colorStatus(progress.run.status, c)}, trigger ${progress.run.trigger})` : ' (no RUN record)'}`,
        `Started    ${progress.run?.startedAt ?? '—'}${progress.run?.endedAt ? `   ended ${progress.run.endedAt}` : ''}`,
        `Log        ${progress.progressTable ?? '—'}`,
      ];
  if (progress.progressTable === null) {
    lines.push(c.dim('Per-cluster progress: pass --stage or --table to read the progress table.'));
    return `${lines.join('\n')}\n`;
  }
  const s = progress.totals;
  lines.push(
    `Clusters   ${s.done}/${s.clusters} done, hops ${s.hopsDone}/${s.hopCount}${Object.keys(s.byStatus).length ? ` (${Object.entries(s.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
  );
  if (progress.clusters.length === 0) {
    lines.push(c.dim(`No cluster of run ${progress.runId} in ${progress.progressTable}${progress.totals.clusters === 0 ? '' : ' matches'}.`));
    return `${lines.join('\n')}\n`;
  }
  const table = createTable(['Cluster', 'Status', 'Hop', 'Step', 'From → Reached', 'Note'], { color: options.color ?? false, colWidths: [null, null, null, null, null, 56] });
  for (const cl of progress.clusters) {
    table.push([
      `${t(cl.name)}\n${c.dim(cl.region)}`,
      colorStatus(cl.status, c),
      cl.currentHop !== null ? `${cl.currentHop}/${cl.hopCount}` : `${cl.hopsDone}/${cl.hopCount}`,
      cl.step ?? '',
      versionsCell(cl, c),
      noteCell(cl, c),
    ]);
  }
  return `${lines.join('\n')}\n${table.toString()}\n`;
}

function hopLines(hops: readonly HopView[], c: Colors): string {
  if (hops.length === 0) return c.dim('no hops');
  return hops
    .map((h) => {
      const head = `${h.index}. ${t(h.fromVersion)} → ${t(h.version)} ${colorStatus(h.outcome, c)}`;
      const facts = `${t(h.updateId) || 'no update id'}, ${pollsText(h.polls)}, ${durationText(h.seconds)}`;
      const unhealthy = h.rollout?.verdict === 'UNHEALTHY';
      // An unhealthy rollout's message repeats the nodes listed below it: its name is enough.
      const error = h.error
        ? `\n   ${c.red(`${t(h.error.name)}${h.error.code ? ` (${t(h.error.code)})` : ''}${unhealthy ? ` (${h.rollout?.available}/${h.rollout?.desired} available):` : `: ${t(h.error.message)}`}`)}`
        : '';
      const gate = h.rollout && h.rollout.verdict !== 'UNHEALTHY' ? `\n   ${c.dim(`aws-node ${h.rollout.verdict}${h.rollout.desired !== null ? ` ${h.rollout.available}/${h.rollout.desired} available` : ''}, ${h.rollout.reads} read(s)`)}` : '';
      const faults = unhealthy && h.rollout ? `\n${nodeLines(h.rollout.faults, h.rollout.faultCount, c)}` : '';
      const warnings = h.warnings.map((w) => `\n   ${c.yellow(t(w))}`).join('');
      return `${head}\n   ${c.dim(facts)}${gate}${error}${faults}${warnings}`;
    })
    .join('\n');
}

/** One line per node at fault: node, container, reason (the message when there is room: a table cell wraps it). */
function nodeLines(faults: readonly RecordedNodeFault[], count: number, c: Colors): string {
  const lines = faults.map((f) => `   ${c.red(t(`${f.node ?? 'DaemonSet'}${f.container ? ` ${f.container}` : ''} ${f.reason}`))}${f.message ? c.dim(`: ${t(f.message)}`) : ''}`);
  if (count > faults.length) lines.push(`   ${c.dim(`… and ${count - faults.length} more`)}`);
  return lines.join('\n');
}

/**
 * A cluster's history as a table: one row per run, newest first, with its outcome, from → to, and each hop's
 * versions, update id, polls, duration and error.
 *
 * @example
 * process.stdout.write(renderClusterHistory(await readClusterHistory(store, { cluster: 'payments-prod' }), { color: false }))
 */
export function renderClusterHistory(entries: readonly ClusterRunView[], options: RenderOptions = {}): string {
  const c = colors(options);
  const table = createTable(['Run', 'Cluster', 'Outcome', 'From → To', 'Hops'], { color: options.color ?? false, colWidths: [null, null, null, null, 70] });
  for (const e of entries) {
    const outcome = `${colorStatus(e.status, c)}${e.error ? `\n${c.red(t(e.error.name))}` : ''}`;
    table.push([
      `${e.runId}\n${c.dim(e.startedAt ?? '')}${e.rollback ? `\n${c.yellow(`rollback of ${t(e.rollback.ofRun)} hop ${e.rollback.hop}`)}${e.rollback.reason ? `: ${t(e.rollback.reason)}` : ''}` : ''}`,
      `${t(e.name)}\n${c.dim(`${e.accountId} ${e.region}`)}`,
      outcome,
      `${t(e.from) || '—'}\n→ ${t(e.version) || '—'}\n${c.dim(`target ${t(e.target) || '—'}`)}`,
      `${e.hopsDone}/${e.hopCount} done\n${hopLines(e.hops, c)}${e.error && !e.hops.some((h) => h.error?.message === e.error?.message) ? `\n${c.red(t(e.error.message))}` : ''}` +
        // The pre-flight's nodes (a cluster BLOCKED before any hop); a failed hop lists its own above.
        (e.nodes.length > 0 && !e.hops.some((h) => h.rollout?.verdict === 'UNHEALTHY') ? `\naws-node at fault:\n${nodeLines(e.nodes, e.nodes.length, c)}` : '') +
        e.warnings.filter((w) => !w.startsWith('hop ')).map((w) => `\n${c.yellow(t(w))}`).join(''),
    ]);
  }
  return `${table.toString()}\n${entries.length} run(s)\n`;
}
