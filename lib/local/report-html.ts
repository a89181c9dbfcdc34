import type { RehearsalReport } from './rehearsal.js';

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const COLORS: Record<string, string> = { SUCCEEDED: '#2e7d32', FAILED: '#c62828', TIMED_OUT: '#ef6c00', IN_PROGRESS: '#1565c0', SKIPPED: '#757575' };

/**
 * The rehearsal report as one self-contained HTML page: the summary, then a per-cluster timeline of its hops
 * (bars positioned by virtual start and end time).
 *
 * @example
 * writeFileSync('reports/rehearsal.html', renderReportHtml(report));
 */
export function renderReportHtml(report: Pick<RehearsalReport, 'runId' | 'clusters' | 'summary'>): string {
  const times = report.clusters.flatMap((c) => c.hops.flatMap((h) => [Date.parse(h.startedAt), h.endedAt ? Date.parse(h.endedAt) : Date.parse(h.startedAt)]));
  const t0 = times.length ? Math.min(...times) : 0;
  const span = Math.max(1, (times.length ? Math.max(...times) : 1) - t0);
  const rows = report.clusters
    .map((c) => {
      const bars = c.hops
        .map((h) => {
          const start = Date.parse(h.startedAt);
          const end = h.endedAt ? Date.parse(h.endedAt) : start;
          const left = ((start - t0) / span) * 100;
          const width = Math.max(0.4, ((end - start) / span) * 100);
          const gate = h.rollout ? `, aws-node ${h.rollout.verdict}` : '';
          return `<div class="bar" title="${escape(`${h.version} ${h.status}, ${h.polls} polls, ${Math.round((end - start) / 1000)} s${gate}`)}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%;background:${COLORS[h.status] ?? '#999'}"></div>`;
        })
        .join('');
      const error = c.error ? `<div class="err">${escape(`${c.error.name}: ${c.error.message}`)}</div>` : '';
      // The aws-node nodes the pre-flight or the rollout gate found at fault, one line each.
      const nodes = c.nodes.length
        ? `<ul class="nodes">${c.nodes.map((f) => `<li><b>${escape(f.node ?? 'DaemonSet')}</b> ${escape([f.container, f.reason].filter(Boolean).join(' '))}: <small>${escape(f.message)}</small></li>`).join('')}</ul>`
        : '';
      const warnings = c.warnings.map((w) => `<div class="warn">${escape(w)}</div>`).join('');
      return `<tr><td><b>${escape(c.name)}</b><br><small>${escape(c.region)}</small></td><td class="s-${escape(c.status)}">${escape(c.status)}</td><td>${escape(c.from ?? '')}</td><td>${escape(c.to ?? '')}</td><td><div class="lane">${bars}</div>${error}${nodes}${warnings}</td></tr>`;
    })
    .join('\n');
  const counts = Object.entries(report.summary.byStatus)
    .map(([k, v]) => `${escape(k)}: ${v}`)
    .join(' · ');
  return `<!doctype html><html><head><meta charset="utf-8"><title>cni-fleet rehearsal ${escape(report.runId)}</title><style>
body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
.lane{position:relative;height:18px;background:#f3f3f3;min-width:400px}.bar{position:absolute;top:2px;height:14px;border-radius:3px}
.err{color:#c62828;font-size:12px;margin-top:4px}.nodes{color:#c62828;font-size:12px;margin:4px 0 0 1em;padding:0}.warn{color:#ef6c00;font-size:12px;margin-top:4px}.s-FAILED{color:#c62828}.s-UPGRADED{color:#2e7d32}.s-BLOCKED{color:#ef6c00}.s-SKIPPED{color:#757575}
</style></head><body><h1>cni-fleet rehearsal <code>${escape(report.runId)}</code></h1>
<p>${report.summary.total} clusters · ${counts} · ${report.summary.hops} hops · ${report.summary.eksCalls} EKS calls (${report.summary.eksMutatingCalls} mutating) · ${report.summary.virtualSeconds} s virtual, ${report.summary.realSeconds} s real</p>
<table><tr><th>cluster</th><th>status</th><th>from</th><th>to</th><th>hops (timeline, virtual time)</th></tr>
${rows}
</table></body></html>
`;
}
