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
  if (cluster.blocked !== null) lines.push(c.red(`BLOCKED (${cluster.blockedCode}): ${cluster.blocked}`));
  else if (cluster.hops.length === 0) lines.push(c.green('nothing to do'));
  else {
    const width = String(cluster.hops.length).length;
    for (const hop of cluster.hops) lines.push(`${String(hop.index).padStart(width)}. ${hop.kind.padEnd(6)} ${hop.to}`);
  }
  for (const note of cluster.notes) lines.push(c.yellow(`note: ${note}`));
  return lines.join('\n');
}

function summary(plan: FleetPlan): string {
  const moving = plan.clusters.filter((p) => p.blocked === null && p.hops.length > 0);
  const hops = moving.reduce((n, p) => n + p.hops.length, 0);
  const blocked = plan.clusters.filter((p) => p.blocked !== null).length;
  const idle = plan.clusters.length - moving.length - blocked;
  const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  return `${count(plan.clusters.length, 'cluster')}: ${moving.length} to change (${count(hops, 'hop')}), ${idle} with nothing to do, ${blocked} blocked`;
}
