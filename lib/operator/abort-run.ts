import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, ExecutionStatus, paginateListExecutions, StopExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { InputValidationError } from '../errors.js';
import { mapConcurrent } from '../concurrency/map-concurrent.js';
import type { ProgressStore } from '../store/progress-store.js';
import { parseExecutionArn } from './execution-arn.js';

/** What `abortRun` stopped, and what the cleanup had closed when it stopped waiting. */
export interface AbortOutcome {
  readonly executionArn: string;
  readonly runId: string;
  /** The execution's status before the abort (RUNNING, or how it had already ended). */
  readonly statusBefore: string;
  /** Executions this call stopped: the one named, then the cluster executions of its run. */
  readonly stopped: readonly string[];
  /** Null when no progress table was given (nothing to wait for). */
  readonly cleanup: {
    /** True when the run and its clusters were closed and the stopped executions held no lock any more. */
    readonly done: boolean;
    readonly runStatus: string | null;
    readonly byStatus: Readonly<Record<string, number>>;
    /** Clusters still PENDING or RUNNING when the wait ended. */
    readonly open: readonly string[];
    /** Cluster keys still locked by a stopped execution when the wait ended. */
    readonly locksHeld: readonly string[];
  } | null;
}

/** What `abortRun` needs. */
export interface AbortRequest {
  readonly sfn: SFNClient;
  readonly executionArn: string;
  /** The cluster workflow, whose executions of the same run are stopped too. */
  readonly clusterStateMachineArn: string;
  /** The progress table: the wait for the cleanup reads it. */
  readonly store?: ProgressStore | undefined;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Aborts the wait (Ctrl-C); the executions stay stopped. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each read while waiting. */
  readonly onWait?: (cleanup: NonNullable<AbortOutcome['cleanup']>) => void;
}

// Names the stop in the execution's history and in the cleanup's records.
const STOP = { error: 'OperatorAbort', cause: 'stopped with cni-fleet abort' };

const parseInput = (text: string | undefined): Record<string, unknown> => {
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/**
 * The cluster workflow of the stage whose fleet workflow ran `executionArn`: serverless.yml names them
 * `<service>-<stage>-upgrade-fleet` and `…-upgrade-cluster` in the same account and Region.
 *
 * @throws InputValidationError naming `--stage` when the state machine is not named that way
 * @example
 * clusterMachineOf('arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-upgrade-fleet:weekly-1')
 * // 'arn:aws:states:eu-west-1:111122223333:stateMachine:cni-fleet-prod-upgrade-cluster'
 */
export function clusterMachineOf(executionArn: string): string {
  const { partition, region, accountId, stateMachineName } = parseExecutionArn(executionArn);
  const name = stateMachineName.endsWith('-upgrade-cluster') ? stateMachineName : stateMachineName.replace(/-upgrade-fleet$/, '-upgrade-cluster');
  if (!name.endsWith('-upgrade-cluster')) throw new InputValidationError('--stage', `cannot tell the cluster workflow of state machine ${stateMachineName}: pass --stage or --cluster-state-machine-arn`);
  return `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`;
}

/**
 * Stops a run: the execution named (a fleet run, or a cluster execution), then every running execution of the
 * cluster workflow that belongs to the same run (its input's `runId`), and waits until the cleanup
 * (lib/steps/cleanup-execution.ts, started by the stage's rule on each end) has closed the run and released the
 * stopped executions' locks. Step Functions stops a `startExecution.sync` child when its parent's task is
 * stopped, but only as a best effort, and a child that has not yet reached the map's item when the parent stops
 * is not a child yet: the run id finds them all.
 *
 * @throws InputValidationError naming EXECUTION_ARN when it is not an execution ARN
 * @example
 * const outcome = await abortRun({ sfn, executionArn, clusterStateMachineArn, store, intervalMs: 2000, timeoutMs: 300_000 });
 * outcome.cleanup?.done // true
 */
export async function abortRun(request: AbortRequest): Promise<AbortOutcome> {
  const { sfn, executionArn } = request;
  parseExecutionArn(executionArn);
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const input = parseInput(described.input);
  const runId = typeof input['runId'] === 'string' && input['runId'] !== '' ? input['runId'] : (described.name ?? parseExecutionArn(executionArn).executionName);
  const statusBefore = String(described.status ?? 'UNKNOWN');
  const stopped: string[] = [];
  if (statusBefore === 'RUNNING') {
    await sfn.send(new StopExecutionCommand({ executionArn, ...STOP }));
    stopped.push(executionArn);
  }
  // The run's cluster executions (a fleet's children; for a cluster execution, none but itself).
  const running: string[] = [];
  for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn: request.clusterStateMachineArn, statusFilter: ExecutionStatus.RUNNING })) {
    for (const e of page.executions ?? []) if (e.executionArn && e.executionArn !== executionArn) running.push(e.executionArn);
  }
  const ofRun = await mapConcurrent(running, 5, async (arn) => {
    const child = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    const childInput = parseInput(child.input);
    return childInput['runId'] === runId && childInput['trigger'] === 'fleet' ? arn : undefined;
  });
  for (const arn of ofRun) {
    if (!arn) continue;
    try {
      await sfn.send(new StopExecutionCommand({ executionArn: arn, ...STOP }));
    } catch (error) {
      // Ended meanwhile, e.g. stopped by Step Functions itself when the parent's stop reached it first.
      const now = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      if (now.status === 'RUNNING') throw error;
    }
    stopped.push(arn);
  }
  const store = request.store;
  if (!store) return { executionArn, runId, statusBefore, stopped, cleanup: null };
  const deadline = Date.now() + request.timeoutMs;
  for (;;) {
    const cleanup = await readCleanup(store, runId, stopped);
    request.onWait?.(cleanup);
    if (cleanup.done || Date.now() >= deadline || request.signal?.aborted) return { executionArn, runId, statusBefore, stopped, cleanup };
    try {
      await sleep(request.intervalMs, undefined, request.signal ? { signal: request.signal } : {});
    } catch {
      return { executionArn, runId, statusBefore, stopped, cleanup: await readCleanup(store, runId, stopped) };
    }
  }
}

/** Where the cleanup stands: the run's status, its open clusters, the locks the stopped executions still hold. */
async function readCleanup(store: ProgressStore, runId: string, stopped: readonly string[]): Promise<NonNullable<AbortOutcome['cleanup']>> {
  const [run, clusters, locks] = await Promise.all([
    store.getRun(runId),
    store.listRunClusters(runId),
    Promise.all(stopped.map((owner) => store.locksOwnedBy(owner))),
  ]);
  const byStatus: Record<string, number> = {};
  for (const { cluster } of clusters) if (cluster) byStatus[cluster.status] = (byStatus[cluster.status] ?? 0) + 1;
  const open = clusters.filter(({ cluster }) => cluster?.status === 'PENDING' || cluster?.status === 'RUNNING').map((c) => c.clusterKey);
  const locksHeld = locks.flat().map((l) => l.clusterKey);
  const runStatus = run?.status ?? null;
  return { done: runStatus !== 'RUNNING' && open.length === 0 && locksHeld.length === 0, runStatus, byStatus, open, locksHeld };
}
