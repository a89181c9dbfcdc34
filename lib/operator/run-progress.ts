import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ProgressStore, RunItem } from '../store/progress-store.js';
import type { JsonObject } from '../json.js';
import { clusterRunView, type ClusterRunView } from './cluster-run-view.js';

/** An execution as DescribeExecution reports it. */
export interface ExecutionView {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE. */
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  /** The error name a failed execution ended with (one of lib/errors.ts for our workflows). */
  readonly error: string | null;
  readonly cause: string | null;
}

/** The run's own record in the progress table. */
export interface RunView {
  readonly status: string;
  readonly trigger: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly summary: JsonObject | null;
}

/** An execution and, when a progress table was given, where each of its clusters stands. */
export interface RunProgress {
  /** Null for a run read from the progress log alone (a local rehearsal's). */
  readonly execution: ExecutionView | null;
  /** `input.runId`, else the execution name: the workflows' own rule (lib/steps/validate-input.ts). */
  readonly runId: string;
  /** Null when no progress table was read. */
  readonly progressTable: string | null;
  readonly run: RunView | null;
  readonly clusters: readonly ClusterRunView[];
  readonly totals: {
    readonly clusters: number;
    /** Clusters in a final status (anything but PENDING and RUNNING). */
    readonly done: number;
    readonly hopsDone: number;
    readonly hopCount: number;
    readonly byStatus: Readonly<Record<string, number>>;
  };
}

/** Step Functions statuses after which an execution never changes again (PENDING_REDRIVE can still be redriven). */
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/**
 * True when the execution has ended.
 *
 * @example
 * isExecutionDone('RUNNING') // false
 */
export const isExecutionDone = (status: string): boolean => TERMINAL.has(status);

interface InputFacts {
  readonly runId: string | undefined;
  readonly cluster: { readonly name: string; readonly region: string } | undefined;
}

// The input was validated when the run started; here it is only read, and an unreadable one yields no facts.
function inputFacts(input: string | undefined): InputFacts {
  let value: unknown;
  try {
    value = input === undefined ? undefined : JSON.parse(input);
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null) return { runId: undefined, cluster: undefined };
  const { runId, cluster } = value as { runId?: unknown; cluster?: { name?: unknown; region?: unknown } };
  return {
    runId: typeof runId === 'string' ? runId : undefined,
    cluster: typeof cluster?.name === 'string' && typeof cluster.region === 'string' ? { name: cluster.name, region: cluster.region } : undefined,
  };
}

const runView = (run: RunItem | null): RunView | null =>
  run === null ? null : { status: run.status, trigger: run.trigger, startedAt: run.startedAt, endedAt: run.endedAt, summary: run.summary };

/**
 * Reads an execution (DescribeExecution) and its clusters' progress from the progress table. A cluster-workflow
 * execution shows only its own cluster, even when a fleet run shares its run id.
 *
 * @example
 * const progress = await readRunProgress({ sfn, store, progressTable: 'cni-fleet-prod-progress', executionArn });
 * progress.clusters.map((c) => `${c.name} ${c.hopsDone}/${c.hopCount} ${c.step}`)
 */
export async function readRunProgress(request: {
  readonly sfn: SFNClient;
  readonly executionArn: string;
  readonly store?: ProgressStore | undefined;
  readonly progressTable?: string | undefined;
}): Promise<RunProgress> {
  const out = await request.sfn.send(new DescribeExecutionCommand({ executionArn: request.executionArn }));
  const execution: ExecutionView = {
    executionArn: out.executionArn ?? request.executionArn,
    name: out.name ?? '',
    stateMachineArn: out.stateMachineArn ?? '',
    status: out.status ?? 'UNKNOWN',
    startDate: out.startDate?.toISOString() ?? null,
    stopDate: out.stopDate?.toISOString() ?? null,
    error: out.error ?? null,
    cause: out.cause ?? null,
  };
  const facts = inputFacts(out.input);
  const runId = facts.runId ?? execution.name;
  if (!request.store) return withTotals({ execution, runId, progressTable: null, run: null, clusters: [] });
  const stored = await readStoredRun(request.store, runId, facts.cluster);
  return withTotals({ execution, runId, progressTable: request.progressTable ?? null, ...stored });
}

/**
 * A run as the progress log has it, without its execution: for a local rehearsal, whose log is all there is.
 *
 * @example
 * const progress = await readLocalRunProgress(store, 'rehearsal-2026-12-06T10-00-00-000Z', 'local .rehearsal/dynamo');
 */
export async function readLocalRunProgress(store: ProgressStore, runId: string, progressTable: string): Promise<RunProgress> {
  return withTotals({ execution: null, runId, progressTable, ...(await readStoredRun(store, runId, undefined)) });
}

async function readStoredRun(store: ProgressStore, runId: string, own: InputFacts['cluster']): Promise<{ run: RunView | null; clusters: ClusterRunView[] }> {
  const [runItem, records] = await Promise.all([store.getRun(runId), store.listRunClusters(runId)]);
  let clusters = records.map((r) => clusterRunView(runId, r));
  if (own) clusters = clusters.filter((c) => c.name === own.name && c.region === own.region);
  return { run: runView(runItem), clusters };
}

/**
 * The same run showing only the clusters whose status is one of `statuses` (`status --only FAILED`); the totals
 * count what is shown.
 *
 * @example
 * onlyStatuses(progress, ['FAILED', 'BLOCKED']).clusters.map((c) => c.name)
 */
export function onlyStatuses(progress: RunProgress, statuses: readonly string[] | undefined): RunProgress {
  if (!statuses?.length) return progress;
  return withTotals({ ...progress, clusters: progress.clusters.filter((c) => statuses.includes(c.status)) });
}

function withTotals(progress: Omit<RunProgress, 'totals'>): RunProgress {
  const { clusters } = progress;
  const byStatus: Record<string, number> = {};
  for (const c of clusters) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return {
    ...progress,
    totals: {
      clusters: clusters.length,
      done: clusters.filter((c) => c.status !== 'PENDING' && c.status !== 'RUNNING').length,
      hopsDone: clusters.reduce((n, c) => n + c.hopsDone, 0),
      hopCount: clusters.reduce((n, c) => n + c.hopCount, 0),
      byStatus,
    },
  };
}
