import { DescribeExecutionCommand, paginateListExecutions, type ExecutionStatus, type SFNClient } from '@aws-sdk/client-sfn';
import pc from 'picocolors';
import { InputValidationError } from '../errors.js';
import { createTable } from '../cli/table.js';
import type { ProgressStore, RunItem } from '../store/progress-store.js';
import { colorStatus } from './render-progress.js';

/** One run as `cni-fleet runs` lists it. */
export interface RunSummary {
  readonly runId: string;
  /** The execution, for a deployed run; null for a local rehearsal's. */
  readonly executionArn: string | null;
  /** The execution's status (RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED), else the run record's. */
  readonly status: string;
  /** The progress log's RUN record status (RUNNING, SUCCEEDED, FAILED, HALTED), or null without a record. */
  readonly runStatus: string | null;
  readonly trigger: string | null;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly clusters: number;
  /** Clusters per status (UPGRADED, FAILED, …). */
  readonly byStatus: Readonly<Record<string, number>>;
}

/** Which runs to list. */
export interface RunFilter {
  /** Only runs with this status (the execution's in AWS, the run record's locally). */
  readonly status?: string | undefined;
  /** Only runs started at or after this instant. */
  readonly since?: Date | undefined;
  /** Newest runs at most. */
  readonly limit: number;
}

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses `--since`: a duration back from now (`30m`, `24h`, `7d`, `2w`) or an ISO 8601 date or time.
 *
 * @throws InputValidationError naming `--since`
 * @example
 * parseSince('7d', new Date('2026-12-08T00:00:00Z')) // 2026-12-01T00:00:00.000Z
 */
export function parseSince(value: string | undefined, now: Date = new Date()): Date | undefined {
  if (value === undefined) return undefined;
  const duration = /^(\d{1,6})([mhdw])$/.exec(value.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * UNITS[duration[2]!]!);
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) throw new InputValidationError('--since', `"${value}" must be a duration such as 30m, 24h, 7d or 2w, or a date such as 2026-12-01 or 2026-12-01T08:00:00Z`);
  return date;
}

async function counts(store: ProgressStore, runId: string): Promise<{ clusters: number; byStatus: Record<string, number> }> {
  const byStatus: Record<string, number> = {};
  const records = await store.listRunClusters(runId);
  for (const r of records) {
    const status = r.cluster?.status ?? 'PENDING';
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return { clusters: records.length, byStatus };
}

// A scheduled or console execution may carry its run id in its input instead of its name.
async function runIdOf(sfn: SFNClient, executionArn: string, name: string, store: ProgressStore): Promise<{ runId: string; run: RunItem | null }> {
  const byName = await store.getRun(name);
  if (byName) return { runId: name, run: byName };
  const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  let runId = name;
  try {
    const parsed = JSON.parse(input ?? '{}') as { runId?: unknown };
    if (typeof parsed.runId === 'string') runId = parsed.runId;
  } catch {
    // An unreadable input has no run id of its own: the name stands.
  }
  return { runId, run: runId === name ? null : await store.getRun(runId) };
}

/**
 * The newest executions of a deployed workflow (ListExecutions, newest first, filtered by status at the source),
 * each with its run's cluster counts from the progress table.
 *
 * @example
 * await listDeployedRuns(sfn, store, 'arn:aws:states:…:stateMachine:cni-fleet-prod-upgrade-fleet', { limit: 20, since: parseSince('7d') })
 */
export async function listDeployedRuns(sfn: SFNClient, store: ProgressStore, stateMachineArn: string, filter: RunFilter): Promise<RunSummary[]> {
  const found: { executionArn: string; name: string; status: string; startDate: Date | undefined; stopDate: Date | undefined }[] = [];
  const statusFilter = filter.status as ExecutionStatus | undefined;
  pages: for await (const page of paginateListExecutions({ client: sfn, pageSize: Math.min(100, filter.limit) }, { stateMachineArn, ...(statusFilter ? { statusFilter } : {}) })) {
    for (const e of page.executions ?? []) {
      // ListExecutions is newest first: the first one older than --since ends the listing.
      if (filter.since && e.startDate && e.startDate < filter.since) break pages;
      found.push({ executionArn: e.executionArn ?? '', name: e.name ?? '', status: e.status ?? 'UNKNOWN', startDate: e.startDate, stopDate: e.stopDate });
      if (found.length >= filter.limit) break pages;
    }
  }
  return Promise.all(
    found.map(async (e) => {
      const { runId, run } = await runIdOf(sfn, e.executionArn, e.name, store);
      return {
        runId,
        executionArn: e.executionArn,
        status: e.status,
        runStatus: run?.status ?? null,
        trigger: run?.trigger ?? null,
        startedAt: e.startDate?.toISOString() ?? run?.startedAt ?? null,
        endedAt: e.stopDate?.toISOString() ?? run?.endedAt ?? null,
        ...(await counts(store, runId)),
      };
    }),
  );
}

/**
 * The runs of a local rehearsal's log, newest first.
 *
 * @example
 * await listLocalRuns(store, { limit: 20, status: 'FAILED' })
 */
export async function listLocalRuns(store: ProgressStore, filter: RunFilter): Promise<RunSummary[]> {
  const runs = (await store.listRuns())
    .filter((r) => (filter.status ? r.status === filter.status : true) && (filter.since ? Date.parse(r.startedAt) >= filter.since.getTime() : true))
    .slice(0, filter.limit);
  return Promise.all(
    runs.map(async (r) => ({
      runId: r.runId,
      executionArn: null,
      status: r.status,
      runStatus: r.status,
      trigger: r.trigger,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      ...(await counts(store, r.runId)),
    })),
  );
}

/**
 * Runs as a table: run id, start, status, and its clusters by outcome.
 *
 * @example
 * process.stdout.write(renderRunsTable(runs, { color: false }))
 */
export function renderRunsTable(runs: readonly RunSummary[], options: { readonly color: boolean }): string {
  if (runs.length === 0) return 'No runs.\n';
  const c = pc.createColors(options.color);
  const table = createTable(['Run', 'Started', 'Status', 'Clusters', 'Outcomes'], { color: options.color });
  for (const r of runs)
    table.push([
      r.runId,
      `${r.startedAt ?? '—'}${r.endedAt ? `\n${c.dim(`ended ${r.endedAt}`)}` : ''}`,
      `${colorStatus(r.status, c)}${r.runStatus && r.runStatus !== r.status ? `\n${c.dim(`run ${r.runStatus}`)}` : ''}`,
      String(r.clusters),
      Object.entries(r.byStatus).map(([k, v]) => `${colorStatus(k, c)} ${v}`).join('\n'),
    ]);
  return `${table.toString()}\n${runs.length} run(s)\n`;
}
