import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { safeText } from '../cli/terminal-text.js';
import type { ReportCluster, RunReport } from './run-report.js';

// The template sits beside the sources (lib/report/templates/). The path is resolved from this module's location
// two folders below the repository, which holds for the sources and for the compiled CLI (dist/cli/).
const TEMPLATES = fileURLToPath(new URL('../../lib/report/templates/', import.meta.url));

// autoEscape: every `<%= %>` is HTML-escaped, so a cluster name, an EKS message or a tag can never become markup.
const eta = new Eta({ views: TEMPLATES, autoEscape: true, cache: true });

/** Status order in the report: what needs attention first. */
const STATUS_ORDER = ['FAILED', 'BLOCKED', 'RUNNING', 'PENDING', 'PLANNED', 'UPGRADED', 'UNCHANGED', 'SKIPPED'];
const rank = (status: string): number => {
  const i = STATUS_ORDER.indexOf(status);
  return i === -1 ? STATUS_ORDER.length : i;
};

/** Wave order as the fleet workflow runs them: canary, then values in natural order, untagged last. */
const waveRank = (a: string, b: string): number => {
  const r = (w: string): number => (w === 'canary' ? 0 : w === '' ? 2 : 1);
  return r(a) - r(b) || a.localeCompare(b, 'en', { numeric: true });
};
const waveLabel = (wave: string): string => (wave === '' ? 'untagged' : wave);

const time = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** Tick spacing in seconds: the first that gives at most eight ticks. */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

interface Tick {
  readonly left: number;
  readonly label: string;
}

function ticks(t0: number, t1: number): Tick[] {
  const span = Math.max(1, t1 - t0);
  const step = (STEPS.find((s) => span / 1000 / s <= 8) ?? 86400) * 1000;
  const out: Tick[] = [];
  let day = new Date(t0).toISOString().slice(0, 10);
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const iso = new Date(t).toISOString();
    // The axis title names the first day; a tick names the date only when the run crosses midnight.
    const newDay = iso.slice(0, 10) !== day;
    day = iso.slice(0, 10);
    out.push({ left: ((t - t0) / span) * 100, label: newDay ? `${iso.slice(5, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19) });
  }
  return out;
}

const pct = (n: number): string => `${Math.max(0, Math.min(100, n)).toFixed(3)}%`;
const seconds = (start: number, end: number | null): string => (end === null ? 'running' : `${Math.round((end - start) / 1000)} s`);

/** The page's data: everything positioned and worded, so the template only lays it out. */
function viewModel(report: RunReport, generatedAt: Date) {
  const clusters = [...report.clusters].sort((a, b) => rank(a.status) - rank(b.status) || waveRank(a.wave, b.wave) || a.name.localeCompare(b.name) || a.region.localeCompare(b.region));
  const instants = report.clusters.flatMap((c) => [
    time(c.startedAt),
    time(c.endedAt),
    ...c.hops.flatMap((h) => [time(h.startedAt), time(h.endedAt)]),
  ]).filter((t): t is number => t !== null && Number.isFinite(t));
  const t0 = instants.length ? Math.min(...instants) : 0;
  const t1 = instants.length ? Math.max(...instants) : 0;
  const span = Math.max(1, t1 - t0);
  const at = (t: number): number => ((t - t0) / span) * 100;
  const hasTimeline = !report.dryRun && report.clusters.some((c) => c.hops.length > 0);
  const waves = [...new Set(report.clusters.map((c) => c.wave))].sort(waveRank).map((wave, index) => {
    const members = report.clusters.filter((c) => c.wave === wave);
    // A cluster skipped at selection is recorded when the run starts, not when its wave runs: it does not stretch the band.
    const ran = members.filter((c) => c.status !== 'SKIPPED');
    const extent = ran.length > 0 ? ran : members;
    const starts = extent.map((c) => time(c.startedAt)).filter((t): t is number => t !== null);
    const ends = extent.flatMap((c) => [time(c.endedAt), ...c.hops.map((h) => time(h.endedAt))]).filter((t): t is number => t !== null);
    const start = starts.length ? Math.min(...starts) : t0;
    const end = ends.length ? Math.max(...ends) : start;
    return { label: waveLabel(wave), top: index * 24, count: members.length, left: pct(at(start)), width: pct(Math.max(0.5, at(end) - at(start))), from: new Date(start).toISOString().slice(11, 19), to: new Date(end).toISOString().slice(11, 19) };
  });
  return {
    title: `cni-fleet ${report.kind === 'rehearsal' ? 'rehearsal' : 'run'} ${report.runId}${report.dryRun ? ' (dry run)' : ''}`,
    report,
    generatedAt: generatedAt.toISOString(),
    total: report.clusters.length,
    statuses: Object.entries(report.byStatus).sort(([a], [b]) => rank(a) - rank(b)).map(([status, count]) => ({ status, count })),
    hasTimeline,
    axis: { ticks: ticks(t0, t1), day: new Date(t0).toISOString().slice(0, 10), from: new Date(t0).toISOString().slice(11, 19), to: new Date(t1).toISOString().slice(11, 19) },
    waves,
    showWaves: waves.length > 1 || (waves.length === 1 && waves[0]!.label !== 'untagged'),
    rows: clusters.map((c) => row(c, at)),
  };
}

function row(c: ReportCluster, at: (t: number) => number) {
  const text = (s: string | null): string => (s === null ? '' : safeText(s, { oneLine: true }));
  return {
    name: text(c.name),
    region: c.region,
    accountId: c.accountId,
    wave: waveLabel(text(c.wave)),
    status: c.status,
    from: text(c.from) || '—',
    reached: text(c.reached) || '—',
    to: text(c.to) || '—',
    // The hop that failed already shows the cluster's error: say it once.
    error: c.error && !c.hops.some((h) => h.error?.message === c.error?.message) ? `${text(c.error.name)}: ${text(c.error.message)}` : null,
    planned: c.plannedHops.map((h) => ({ index: h.index, to: text(h.to), kind: h.kind })),
    bars: c.hops.map((h) => {
      const start = Date.parse(h.startedAt);
      const end = h.endedAt ? Date.parse(h.endedAt) : null;
      return { status: h.status, left: pct(at(start)), width: pct(Math.max(0.4, at(end ?? start) - at(start))), label: `${h.index}. ${text(h.version)}` };
    }),
    hops: c.hops.map((h) => {
      const start = Date.parse(h.startedAt);
      const end = h.endedAt ? Date.parse(h.endedAt) : null;
      return {
        index: h.index,
        from: text(h.fromVersion),
        to: text(h.version),
        kind: h.kind,
        status: h.status,
        when: `${h.startedAt.slice(11, 19)}–${h.endedAt ? h.endedAt.slice(11, 19) : '…'}`,
        facts: `${seconds(start, end)}, ${h.polls} poll${h.polls === 1 ? '' : 's'}${h.updateId ? `, update ${text(h.updateId)}` : ''}`,
        error: h.error ? `${text(h.error.name)}${h.error.code ? ` (${text(h.error.code)})` : ''}: ${text(h.error.message)}` : null,
        // The rollout gate's finding after the hop (docs/rollout-gate.md).
        gate: h.rollout
          ? `aws-node ${h.rollout.verdict}${h.rollout.desired !== null ? `, ${h.rollout.available}/${h.rollout.desired} available` : ''}, ${h.rollout.reads} read${h.rollout.reads === 1 ? '' : 's'}`
          : null,
      };
    }),
    // The aws-node nodes the pre-flight or the rollout gate found at fault, one line each.
    nodes: (c.nodes ?? []).map((f) => ({ node: text(f.node ?? 'DaemonSet'), what: text([f.container, f.reason].filter(Boolean).join(' ')), message: text(f.message) })),
    warnings: (c.warnings ?? []).map(text),
  };
}

/**
 * A run's report as one self-contained HTML page (styles and the status filter inline, nothing fetched): a summary
 * with a legend and a filter by status, the waves as bands on a time axis of real timestamps (UTC), then one row per
 * cluster — failures first — with its hops as bars and, below them, each hop's versions, times, polls, update id and
 * error as text (visible without hovering, and printed). A dry run shows each cluster's planned path instead.
 *
 * @example
 * writeFileSync('reports/run.html', renderReportHtml(reportFromRehearsal(report)));
 */
export function renderReportHtml(report: RunReport, generatedAt: Date = new Date()): string {
  return eta.render('report', viewModel(report, generatedAt));
}
