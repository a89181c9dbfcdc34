import Table from 'cli-table3';
import pc from 'picocolors';
import type { ClusterPlan, FleetPlan } from './plan-fleet.js';

export interface RenderOptions {
  /** ANSI colours; default: picocolors' detection (TTY, NO_COLOR, FORCE_COLOR). */
  readonly color?: boolean;
  /** Width of the plan column, which wraps. Default 72. */
  readonly planWidth?: number;
}

/**
 * A fleet plan as a table for people: one row per cluster, its hops one per line, blocked reasons and notes
 * in full, then a one-line summary.
 *
 * @example
 * process.stdout.write(renderPlanTable(await planFleet(facts, { buildsFor })))
 */
export function renderPlanTable(plan: FleetPlan, options: RenderOptions = {}): string {
  const c = pc.createColors(options.color ?? pc.isColorSupported);
  const table = new Table({
    head: ['Cluster', 'Kubernetes', 'From', 'Target', 'Plan'],
    colWidths: [null, null, null, null, options.planWidth ?? 72],
    wordWrap: true,
    style: { head: c.isColorSupported ? ['cyan'] : [], border: c.isColorSupported ? ['gray'] : [] },
  });
  for (const cluster of plan.clusters) {
    table.push([
      `${cluster.name}\n${c.dim(cluster.region)}`,
      cluster.kubernetesVersion,
      cluster.from === null ? c.dim('none') : `${cluster.from}${cluster.install === 'self-managed' ? `\n${c.dim('self-managed')}` : ''}`,
      cluster.target ?? c.dim('—'),
      planCell(cluster, c),
    ]);
  }
  return `${table.toString()}\n${summary(plan)}\n`;
}

function planCell(cluster: ClusterPlan, c: ReturnType<typeof pc.createColors>): string {
  const lines: string[] = [];
  if (cluster.outcome === 'BLOCKED' || cluster.outcome === 'FAILED') lines.push(c.red(`${cluster.outcome} (${cluster.reasonCode}): ${cluster.reason}`));
  else if (cluster.outcome === 'SKIPPED') lines.push(c.yellow(`SKIPPED (${cluster.reasonCode}): ${cluster.reason}`));
  else if (cluster.hops.length === 0) lines.push(c.green('nothing to do'));
  else {
    const width = String(cluster.hops.length).length;
    for (const hop of cluster.hops) lines.push(`${String(hop.index).padStart(width)}. ${hop.kind.padEnd(6)} ${hop.to}`);
  }
  for (const note of cluster.notes) lines.push(c.yellow(`note: ${note}`));
  return lines.join('\n');
}

function summary(plan: FleetPlan): string {
  const moving = plan.clusters.filter((p) => p.outcome === 'PLANNED');
  const hops = moving.reduce((n, p) => n + p.hops.length, 0);
  const of = (outcome: ClusterPlan['outcome']): number => plan.clusters.filter((p) => p.outcome === outcome).length;
  const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  // Skipped and failed only when there are any, so a fleet that has none reads as before.
  const more = [...(of('SKIPPED') > 0 ? [`${of('SKIPPED')} skipped`] : []), ...(of('FAILED') > 0 ? [`${of('FAILED')} failing before any change`] : [])];
  return `${count(plan.clusters.length, 'cluster')}: ${moving.length} to change (${count(hops, 'hop')}), ${of('UNCHANGED')} with nothing to do, ${of('BLOCKED')} blocked${more.map((m) => `, ${m}`).join('')}`;
}
