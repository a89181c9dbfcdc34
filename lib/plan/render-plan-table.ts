import pc from 'picocolors';
import { createTable } from '../cli/table.js';
import { safeText } from '../cli/terminal-text.js';
import type { ClusterPlan, FleetPlan } from './plan-fleet.js';
import type { SkippedCluster, UnreadableCluster } from './cluster-facts.js';

export interface RenderOptions {
  /** ANSI colours; default none (the caller decides: a terminal, NO_COLOR, --no-color). */
  readonly color?: boolean;
  /** Width of the plan column, which wraps. Default 72. */
  readonly planWidth?: number;
  /** Clusters found but not planned (ghosts, opted out): a row each. */
  readonly skipped?: readonly SkippedCluster[];
  /** Clusters (or accounts and Regions) that could not be read: an error row each. */
  readonly unreadable?: readonly UnreadableCluster[];
}

type Colors = ReturnType<typeof pc.createColors>;

/**
 * A fleet plan as a table for people: one row per cluster, its hops one per line, blocked reasons and notes
 * in full, a row per skipped or unreadable cluster, then a one-line summary.
 *
 * @example
 * process.stdout.write(renderPlanTable(await planFleet(facts, { buildsFor }), { color: false }))
 */
export function renderPlanTable(plan: FleetPlan, options: RenderOptions = {}): string {
  const color = options.color ?? false;
  const c = pc.createColors(color);
  const table = createTable(['Cluster', 'Kubernetes', 'From', 'Target', 'Plan'], { color, colWidths: [null, null, null, null, options.planWidth ?? 72] });
  const where = (region: string, accountId?: string | null): string => c.dim(accountId ? `${accountId} ${region}` : region);
  for (const cluster of plan.clusters) {
    table.push([
      `${safeText(cluster.name)}\n${where(cluster.region)}`,
      cluster.kubernetesVersion,
      cluster.from === null ? c.dim('none') : `${safeText(cluster.from)}${cluster.install === 'self-managed' ? `\n${c.dim('self-managed')}` : ''}`,
      cluster.target ?? c.dim('—'),
      planCell(cluster, c),
    ]);
  }
  for (const s of options.skipped ?? []) table.push([`${safeText(s.name)}\n${where(s.region, s.accountId)}`, '', '', '', c.dim(`SKIPPED: ${safeText(s.reason)}`)]);
  for (const u of options.unreadable ?? [])
    table.push([`${u.name === null ? c.dim('(every cluster)') : safeText(u.name)}\n${where(u.region, u.accountId)}`, '', '', '', c.red(`ERROR: ${u.operation} failed: ${u.error.name}: ${safeText(u.error.message)}`)]);
  return `${table.toString()}\n${summary(plan, options)}\n`;
}

function planCell(cluster: ClusterPlan, c: Colors): string {
  const lines: string[] = [];
  if (cluster.outcome === 'BLOCKED' || cluster.outcome === 'FAILED') lines.push(c.red(`${cluster.outcome} (${cluster.reasonCode}): ${safeText(cluster.reason ?? '')}`));
  else if (cluster.outcome === 'SKIPPED') lines.push(c.dim(`SKIPPED (${cluster.reasonCode}): ${safeText(cluster.reason ?? '')}`));
  else if (cluster.hops.length === 0) lines.push(c.green('nothing to do'));
  else {
    const width = String(cluster.hops.length).length;
    for (const hop of cluster.hops) lines.push(`${String(hop.index).padStart(width)}. ${hop.kind.padEnd(6)} ${hop.to}`);
  }
  for (const note of cluster.notes) lines.push(c.yellow(`note: ${safeText(note)}`));
  return lines.join('\n');
}

function summary(plan: FleetPlan, options: RenderOptions): string {
  const moving = plan.clusters.filter((p) => p.outcome === 'PLANNED');
  const hops = moving.reduce((n, p) => n + p.hops.length, 0);
  const of = (outcome: ClusterPlan['outcome']): number => plan.clusters.filter((p) => p.outcome === outcome).length;
  const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  // Skipped, failed and unreadable only when there are any, so a fleet that has none reads as before.
  const skipped = of('SKIPPED') + (options.skipped?.length ?? 0);
  const more = [
    ...(skipped > 0 ? [`${skipped} skipped`] : []),
    ...(of('FAILED') > 0 ? [`${of('FAILED')} failing before any change`] : []),
    ...(options.unreadable?.length ? [count(options.unreadable.length, 'read error')] : []),
  ];
  return `${count(plan.clusters.length, 'cluster')}: ${moving.length} to change (${count(hops, 'hop')}), ${of('UNCHANGED')} with nothing to do, ${of('BLOCKED')} blocked${more.map((m) => `, ${m}`).join('')}`;
}
