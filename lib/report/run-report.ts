import { clusterRunView } from '../operator/cluster-run-view.js';
import type { HopRollout, RecordedNodeFault, RunClusterRecords, RunItem } from '../store/progress-store.js';

/** One cluster in the rehearsal report (docs/operator.md#4-report). */
export interface ReportCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  /** The value of the wave tag in the fleet file (`canary`, `1`, …), or '' when untagged. */
  readonly wave: string;
  readonly from: string | null;
  readonly to: string | null;
  /** The version the last successful hop reached (else `from`): what a FAILED cluster runs now. */
  readonly reached: string | null;
  readonly status: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly hops: {
    readonly index: number;
    readonly fromVersion: string;
    readonly version: string;
    readonly kind: string;
    readonly status: string;
    readonly updateId: string | null;
    readonly polls: number;
    readonly startedAt: string;
    readonly endedAt: string | null;
    readonly error: { readonly name: string; readonly message: string; readonly code?: string } | null;
    /** What the rollout gate found after the hop (docs/rollout-gate.md); absent in reports from before the gate. */
    readonly rollout?: HopRollout | null;
  }[];
  /** The plan's hops, in order (for a dry run: the path it would take). */
  readonly plannedHops: { readonly index: number; readonly from: string; readonly to: string; readonly kind: string }[];
  readonly error: { readonly name: string; readonly message: string } | null;
  /** aws-node nodes at fault: the failing hop's rollout gate, or the pre-flight's (absent in older reports). */
  readonly nodes?: readonly RecordedNodeFault[];
  /** What could not be checked and was let through (kubernetesAccess best-effort). */
  readonly warnings?: readonly string[];
  readonly final: { readonly addonVersion: string | null; readonly status: string | null; readonly configurationValues: string | null; readonly serviceAccountRoleArn: string | null };
}

/** What a rehearsal's report tells about its run: the part of it the run report shows. */
export interface RehearsalOutline {
  readonly runId: string;
  readonly dryRun: boolean;
  readonly clusters: readonly ReportCluster[];
  readonly summary: {
    readonly byStatus: Readonly<Record<string, number>>;
    readonly hops: number;
    readonly eksCalls: number;
    readonly eksMutatingCalls: number;
    readonly virtualSeconds: number;
    readonly realSeconds: number;
  };
}

/**
 * What a run's report shows, whichever run it was: a rehearsal (from its report) or a deployed run (from the
 * progress table). The HTML report (report-html.ts) and `cni-fleet report` take this.
 */
export interface RunReport {
  readonly runId: string;
  /** `rehearsal` or `run`. */
  readonly kind: 'rehearsal' | 'run';
  /** Where the data came from, for people: `local rehearsal`, `table cni-fleet-prod-progress`, … */
  readonly source: string;
  readonly dryRun: boolean;
  /** The run's own status (RUNNING, SUCCEEDED, FAILED, HALTED), when recorded. */
  readonly status: string | null;
  readonly clusters: readonly ReportCluster[];
  readonly byStatus: Readonly<Record<string, number>>;
  readonly hops: number;
  /** Further facts of the summary line, e.g. `62 EKS calls (12 mutating)`. */
  readonly facts: readonly string[];
}

const countByStatus = (clusters: readonly ReportCluster[]): Record<string, number> => {
  const by: Record<string, number> = {};
  for (const c of clusters) by[c.status] = (by[c.status] ?? 0) + 1;
  return by;
};

/**
 * A rehearsal's report as a RunReport.
 *
 * @example
 * renderReportHtml(reportFromRehearsal(plain))
 */
export function reportFromRehearsal(report: RehearsalOutline): RunReport {
  const s = report.summary;
  return {
    runId: report.runId,
    kind: 'rehearsal',
    source: 'local rehearsal',
    dryRun: report.dryRun,
    status: null,
    clusters: report.clusters,
    byStatus: s.byStatus,
    hops: s.hops,
    facts: [`${s.eksCalls} EKS calls (${s.eksMutatingCalls} mutating)`, `${s.virtualSeconds} s simulated in ${s.realSeconds} s`],
  };
}

/**
 * A run's report from its records in the progress table (a deployed run, or a rehearsal read back with --local).
 * The wave of each cluster is not recorded there, so all clusters share one band.
 *
 * @example
 * reportFromRecords({ runId, run: await store.getRun(runId), records: await store.listRunClusters(runId), source: 'table cni-fleet-prod-progress' })
 */
export function reportFromRecords(request: { readonly runId: string; readonly run: RunItem | null; readonly records: readonly RunClusterRecords[]; readonly source: string }): RunReport {
  const dryRun = (request.run?.input as { options?: { dryRun?: unknown } } | undefined)?.options?.dryRun === true;
  const clusters: ReportCluster[] = request.records.map((records) => {
    const view = clusterRunView(request.runId, records);
    return {
      name: view.name,
      region: view.region,
      accountId: view.accountId,
      wave: '',
      from: view.from,
      to: view.target,
      reached: view.version,
      status: view.status,
      startedAt: view.startedAt,
      endedAt: view.endedAt,
      hops: view.hops.map((h) => ({ index: h.index, fromVersion: h.fromVersion, version: h.version, kind: h.kind, status: h.outcome, updateId: h.updateId, polls: h.polls, startedAt: h.startedAt, endedAt: h.endedAt, error: h.error, rollout: h.rollout })),
      plannedHops: (records.plan?.plan.hops ?? []).map((h) => ({ index: h.index, from: h.from, to: h.to, kind: h.kind })),
      error: view.error,
      nodes: view.nodes,
      warnings: view.warnings,
      final: { addonVersion: null, status: null, configurationValues: null, serviceAccountRoleArn: null },
    };
  });
  return {
    runId: request.runId,
    kind: 'run',
    source: request.source,
    dryRun,
    status: request.run?.status ?? null,
    clusters,
    byStatus: countByStatus(clusters),
    hops: clusters.reduce((n, c) => n + c.hops.filter((h) => h.status === 'SUCCEEDED').length, 0),
    facts: [
      ...(request.run ? [`started ${request.run.startedAt}`, `trigger ${request.run.trigger}`] : []),
      ...(request.run?.endedAt ? [`ended ${request.run.endedAt}`] : []),
    ],
  };
}
