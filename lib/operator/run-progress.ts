import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { ProgressStore, RunItem } from '../store/progress-store.js';
import type { JsonObject } from '../store/json-value.js';
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
  readonly execution: ExecutionView;
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
  let run: RunView | null = null;
  let clusters: ClusterRunView[] = [];
  if (request.store) {
    const [runItem, records] = await Promise.all([request.store.getRun(runId), request.store.listRunClusters(runId)]);
    run = runView(runItem);
    clusters = records.map((r) => clusterRunView(runId, r));
    const own = facts.cluster;
    if (own) clusters = clusters.filter((c) => c.name === own.name && c.region === own.region);
  }
  const byStatus: Record<string, number> = {};
  for (const c of clusters) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return {
    execution,
    runId,
    progressTable: request.store ? (request.progressTable ?? null) : null,
    run,
    clusters,
    totals: {
      clusters: clusters.length,
      done: clusters.filter((c) => c.status !== 'PENDING' && c.status !== 'RUNNING').length,
      hopsDone: clusters.reduce((n, c) => n + c.hopsDone, 0),
      hopCount: clusters.reduce((n, c) => n + c.hopCount, 0),
      byStatus,
    },
  };
}
