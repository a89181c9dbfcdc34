import type { Context } from 'aws-lambda';
import { FUNCTION_BUILDERS } from '../functions/index.js';
import { setLogLevel } from '../functions/step-handler.js';
import { createVirtualClock } from '../sim/clock.js';
import { startSimulator } from '../sim/server.js';
import type { Simulator } from '../sim/server.js';
import { createAwsClients, simulatorAccountCredentials } from '../lib/aws/clients.js';
import type { FleetFile } from '../lib/fleet/fleet-file.js';
import type { HomeAccount } from '../lib/schemas/target-account.js';
import type { UpgradeOptionsInput } from '../lib/schemas/upgrade-options.js';
import { UpgradeOptions } from '../lib/schemas/upgrade-options.js';
import { ensureTable } from '../lib/store/create-table.js';
import { createProgressStore } from '../lib/store/progress-store.js';
import type { ProgressStore, RunClusterRecords } from '../lib/store/progress-store.js';
import { nodesAtFault } from '../lib/operator/cluster-run-view.js';
import type { StepDeps } from '../lib/steps/step-deps.js';
import { newCatalogueCache } from '../lib/addon/eks-catalogue.js';
import { parseOrThrow } from '../lib/validation/parse-or-throw.js';
import { abortRun, cleanupExecution } from '../lib/steps/cleanup-execution.js';
import type { CleanupResult } from '../lib/steps/cleanup-execution.js';
import { claimDataDir } from './data-dir-owner.js';
import type { DataDirClaim, DataDirOwner } from './data-dir-owner.js';
import { startDynamo } from './dynamo-server.js';
import { needsStoredList, storeClusterList } from '../lib/operator/stored-list.js';
import { toPlainJson, type JsonObject } from '../lib/json.js';
import type { ReportCluster } from '../lib/report/run-report.js';
import type { ExecutionEndEvent, LocalTask, TaskEvent, TransitionEvent } from './runner/workflow-runner.js';
import { createLocalRunner } from './runner/workflow-runner.js';
import { eventTimer, scaledTimer } from './runner/virtual-timer.js';

import { LOCAL_TABLE } from './local-table.js';
import { localNotifier, type Notice } from '../lib/controls/notifier.js';
import { answerRequest, type ApprovalAnswer } from '../lib/operator/approval-answer.js';
import { serveStepFunctions, type LocalStepFunctionsEndpoint } from './runner/step-functions-endpoint.js';
import type { PendingTaskToken } from './runner/task-tokens.js';
import { LOCAL_REGION } from './runner/prepare-definition.js';

export { LOCAL_TABLE };
// The fleet workflow's default wave tag (lib/schemas/execution-input.ts).
const DEFAULT_WAVE_TAG = 'cni-fleet/wave';
// dynalite reads no credentials; the EKS simulator's are per account (simulatorAccountCredentials).
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * The deployment a rehearsal stands for: it runs in the fleet file's first account and may assume a
 * `cni-fleet-target` role (docs/target-account-role.yaml) in each other account the file names, as a stage whose
 * crossAccountRoleArns lists them. Each account's clusters are then reached with that account's credentials.
 *
 * @example
 * rehearsalHome(fleet) // { accountId: '111122223333', accountRoles: { '222233334444': 'arn:aws:iam::222233334444:role/cni-fleet-target' } }
 */
export function rehearsalHome(fleet: FleetFile): HomeAccount & { readonly accountRoles: Readonly<Record<string, string>> } {
  const accountId = fleet.clusters[0]?.accountId ?? '111122223333';
  const others = [...new Set(fleet.clusters.map((c) => c.accountId))].filter((a) => a !== accountId);
  return { accountId, accountRoles: Object.fromEntries(others.map((a) => [a, `arn:aws:iam::${a}:role/cni-fleet-target`])) };
}

export interface RehearsalOptions {
  readonly fleet: FleetFile;
  /** Upgrade options (target, lanesAtOnce, perLaneConcurrency, dryRun, …); validated like an execution input's `options`. */
  readonly options?: UpgradeOptionsInput;
  /** Virtual seconds per real second (`virtualTime: 'scaled'`). */
  readonly speed?: number;
  /**
   * `scaled` (default): virtual time runs `speed`× real time, the code's own run time included. `event`: virtual
   * time stands still while any task runs and jumps to the next wake-up once all executions wait
   * (rehearsal/runner/virtual-timer.ts), so the virtual duration is the workflow's alone and the run takes only its CPU.
   */
  readonly virtualTime?: 'scaled' | 'event';
  /** A LevelDB folder for the progress log; in memory when absent. */
  readonly dataDir?: string;
  readonly runId?: string;
  /**
   * Which clusters, as an execution input names them (its `clusters` list or its `selector`, with `waveTag` and
   * `skipTag`); absent: every cluster of the fleet file, as a list.
   */
  readonly selection?: RehearsalSelection;
  readonly onTask?: (event: TaskEvent) => void;
  /** Every state entered and every retry (what Step Functions bills), e.g. for the benchmark. */
  readonly onTransition?: (event: TransitionEvent) => void;
  /** Every execution once it has ended (fleet, Map Run children, clusters): its history length and largest payload. */
  readonly onExecutionEnd?: (event: ExecutionEndEvent) => void;
  /**
   * Stops the run (Ctrl-C): every execution is aborted as StopExecution does, each one's cleanup releases its
   * locks and closes its records as ABORTED, and the report of what happened until then is returned.
   */
  readonly signal?: AbortSignal;
  /** Called once, before the run, when `dataDir` was left by a process that died during its rehearsal. */
  readonly onRecovery?: (recovery: Recovery) => void;
  /**
   * How approval gates are answered (docs/operating-a-run.md): `auto` (default) approves each at once; `prompt`
   * asks `onApprovalRequest` while other clients may answer too (`cni-fleet approve|reject --local`, SendTaskSuccess
   * to the rehearsal's endpoint) — discrete-event time stands still meanwhile; `wait` leaves it to other clients or
   * the gate's timeout.
   */
  readonly approve?: 'auto' | 'prompt' | 'wait';
  /**
   * Asks for an answer (the terminal). Resolves with it, or null to leave the gate to other clients; `signal` aborts
   * when someone else answered or the run stopped.
   */
  readonly onApprovalRequest?: (request: ApprovalPrompt, signal: AbortSignal) => Promise<ApprovalAnswer | null>;
  /** Notices the workflow sends operators (an approval waiting): EventBridge's part in AWS. */
  readonly onNotice?: (notice: Notice) => void;
  /** Where the rehearsal answers other processes, once it does (before the fleet execution starts). */
  readonly onEndpoints?: (endpoints: RehearsalEndpoints) => void;
}

/** A rehearsal's endpoints for other processes: its DynamoDB and its Step Functions (task tokens, StopExecution). */
export interface RehearsalEndpoints {
  readonly dynamodb: string;
  readonly stepFunctions: string;
}

/** A wave waiting for approval in a rehearsal, as `onApprovalRequest` is asked. */
export interface ApprovalPrompt {
  readonly runId: string;
  readonly wave: { readonly index: number; readonly name: string; readonly clusters: number; readonly lanes: number; readonly count: number };
  readonly timeoutSeconds: number;
}

/** What a rehearsal closed of the run a dead process left in its data folder. */
export interface Recovery {
  readonly dataDir: string;
  readonly previous: DataDirOwner;
  readonly runId: string | null;
  readonly releasedLocks: readonly string[];
  readonly abortedClusters: readonly string[];
  readonly runClosed: boolean;
}

/** The members of an execution input that choose a fleet run's clusters and waves. */
export interface RehearsalSelection {
  readonly clusters?: readonly { readonly name: string; readonly region: string; readonly accountId?: string | undefined; readonly roleArn?: string | undefined }[] | undefined;
  readonly selector?: JsonObject | undefined;
  readonly waveTag?: string | undefined;
  readonly skipTag?: string | undefined;
}

export type { ReportCluster };

/** How the fleet execution itself ended: SUCCEEDED, or FAILED with its error and one-line cause. */
export interface RehearsalExecution {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly error: string | null;
  readonly cause: string | null;
}

export interface RehearsalReport {
  readonly runId: string;
  /** The fleet execution's end: FAILED when clusters failed, the failure budget halted the run, or a step broke. */
  readonly execution: RehearsalExecution;
  readonly dryRun: boolean;
  /** The wave tag the run ordered clusters by. */
  readonly waveTag: string;
  /** True when `signal` stopped the run: unfinished clusters are ABORTED, their locks released. */
  readonly interrupted: boolean;
  readonly clusters: ReportCluster[];
  readonly summary: {
    readonly total: number;
    readonly byStatus: Record<string, number>;
    readonly hops: number;
    readonly eksCalls: number;
    readonly eksMutatingCalls: number;
    /** EKS requests per operation, as the simulator counted them. */
    readonly eksCallsByOperation: Record<string, number>;
    /** Requests to the clusters' Kubernetes APIs (the aws-node pre-flight and rollout gate, the migration's reads). */
    readonly kubernetesRequests: number;
    /** DynamoDB requests per operation (the progress log), as dynalite served them. */
    readonly dynamoRequestsByOperation: Record<string, number>;
    /** Virtual seconds from start to end of the run. */
    readonly virtualSeconds: number;
    readonly realSeconds: number;
  };
}

const lambdaContext = (functionName: string): Context =>
  ({
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'local',
    logGroupName: 'local',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

/** The handlers of functions/ built over local dependencies: exactly the code a deployed Lambda runs. */
export function localTasks(deps: StepDeps): Record<string, LocalTask> {
  const tasks: Record<string, LocalTask> = {};
  for (const [key, build] of Object.entries(FUNCTION_BUILDERS)) {
    const handler = build(() => deps) as unknown as (event: unknown, context: Context) => Promise<unknown>;
    tasks[key] = (input) => handler(input, lambdaContext(key));
  }
  return tasks;
}

function toReport(runId: string, records: RunClusterRecords[], sim: Simulator, waveOf: (name: string, region: string) => string): ReportCluster[] {
  return records.flatMap(({ cluster, snapshot, plan, hops }) => {
    if (!cluster) return [];
    const now = sim.cluster(cluster.clusterName, cluster.region, cluster.accountId);
    const from = cluster.from ?? snapshot?.snapshot.addonVersion ?? null;
    return [
      {
        name: cluster.clusterName,
        region: cluster.region,
        accountId: cluster.accountId,
        wave: waveOf(cluster.clusterName, cluster.region),
        from,
        to: cluster.target ?? plan?.plan.target ?? null,
        reached: [...hops].reverse().find((h) => h.outcome === 'SUCCEEDED')?.version ?? from,
        status: cluster.status,
        startedAt: cluster.startedAt,
        endedAt: cluster.endedAt,
        hops: hops.map((h) => ({
          index: h.index,
          fromVersion: h.fromVersion,
          version: h.version,
          kind: h.kind,
          status: h.outcome,
          updateId: h.updateId,
          polls: h.polls,
          startedAt: h.startedAt,
          endedAt: h.endedAt,
          error: h.error,
          rollout: h.rollout ?? null,
        })),
        plannedHops: (plan?.plan.hops ?? []).map((h) => ({ index: h.index, from: h.from, to: h.to, kind: h.kind })),
        error: cluster.error,
        nodes: nodesAtFault({ snapshot, hops }),
        warnings: [...(cluster.warnings ?? []), ...hops.flatMap((h) => (h.warnings ?? []).map((w) => `hop ${h.index} (${h.version}): ${w}`))],
        final: {
          addonVersion: now?.addon?.addonVersion ?? null,
          status: now?.addon?.status ?? null,
          configurationValues: now?.addon?.configurationValues ?? null,
          serviceAccountRoleArn: now?.addon?.serviceAccountRoleArn ?? null,
        },
      },
    ];
  });
}

/**
 * Rehearses a fleet upgrade on this machine: the EKS simulator seeded with the fleet, dynalite as DynamoDB, and
 * the real state machine definitions run by the local runner over the real handlers.
 *
 * @throws InputValidationError naming the field of a bad option, before anything starts
 * @example
 * const report = await rehearse({ fleet: parseFleetFile(text), options: { target: 'default', perLaneConcurrency: 5 } });
 */
export async function rehearse(options: RehearsalOptions): Promise<RehearsalReport & { store: ProgressStore; close(): Promise<void> }> {
  const upgrade = parseOrThrow(UpgradeOptions, options.options ?? {}, 'options');
  const speed = options.speed ?? 50;
  setLogLevel('SILENT');
  const clock = options.virtualTime === 'event' ? createVirtualClock({ start: Date.now(), realNow: () => 0, speed: 1 }) : undefined;
  const timer = clock ? eventTimer(clock) : scaledTimer(speed);
  const runIdAt = (ms: number): string => options.runId ?? `rehearsal-${new Date(ms).toISOString().replace(/[:.]/g, '-')}`;
  // The folder first: a second rehearsal on it is refused before anything starts.
  const plannedRunId = runIdAt(clock ? clock.now() : Date.now());
  const claim: DataDirClaim | undefined = options.dataDir ? await claimDataDir(options.dataDir, { command: 'cni-fleet rehearse', runId: plannedRunId }) : undefined;
  let sim: Simulator;
  let dynamo: Awaited<ReturnType<typeof startDynamo>>;
  try {
    sim = await startSimulator({ fleet: options.fleet, speed, ...(clock ? { clock } : {}) });
    dynamo = await startDynamo(options.dataDir ? { path: options.dataDir } : {});
  } catch (error) {
    claim?.release();
    throw error;
  }
  let stepFunctions: LocalStepFunctionsEndpoint | undefined;
  const close = async (): Promise<void> => {
    await stepFunctions?.close();
    await sim.close();
    await dynamo.close();
    claim?.release();
  };
  try {
    const { eksFor, dynamo: ddb, doc, cloudWatchFor } = createAwsClients({
      region: LOCAL_REGION,
      eksEndpoint: sim.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      // The simulator serves the fleet file's CloudWatch alarms too.
      cloudWatchEndpoint: sim.endpoint,
      credentials: LOCAL_CREDENTIALS,
      accountCredentials: simulatorAccountCredentials,
    });
    await ensureTable(ddb, LOCAL_TABLE);
    const now = (): Date => new Date(sim.clock.now());
    const store = createProgressStore({ doc, tableName: LOCAL_TABLE, now });
    const notifier = localNotifier(options.onNotice);
    const deps: StepDeps = { eksFor, store, now, ...rehearsalHome(options.fleet), cache: newCatalogueCache(), cloudWatchFor, region: LOCAL_REGION, notifier };
    if (claim?.previous && options.dataDir) options.onRecovery?.(await recover(options.dataDir, claim.previous, deps));
    const approve = options.approve ?? 'auto';
    const runner = createLocalRunner({
      tasks: localTasks(deps),
      speed,
      timer,
      now: () => sim.clock.now(),
      ...(options.onTask ? { onTask: options.onTask } : {}),
      ...(options.onTransition ? { onTransition: options.onTransition } : {}),
      ...(options.onExecutionEnd ? { onExecutionEnd: options.onExecutionEnd } : {}),
      onTaskToken: (pending) => answerApproval(pending),
    });
    /** An approval gate of the rehearsal: answered at once (auto), asked (prompt), or left to other clients (wait). */
    const answerApproval = (pending: PendingTaskToken): Promise<void> | undefined => {
      const send = (answer: ApprovalAnswer): void => {
        const request = answerRequest(answer);
        if (request.kind === 'success') runner.sendTaskSuccess(pending.token, request.output);
        else runner.sendTaskFailure(pending.token, request.error, request.cause);
      };
      if (approve === 'auto') {
        send({ approve: true, by: 'cni-fleet rehearse --approve auto', note: null });
        return undefined;
      }
      if (approve === 'wait' || !options.onApprovalRequest) return undefined;
      // Someone else answered (another terminal, a test's client) or the run stopped: the question is withdrawn.
      const withdrawn = new AbortController();
      const watch = setInterval(() => {
        if (!runner.pendingTaskTokens().some((t) => t.token === pending.token)) withdrawn.abort();
      }, 100);
      const payload = pending.payload as unknown as ApprovalPrompt;
      return options
        .onApprovalRequest({ runId: payload.runId, wave: payload.wave, timeoutSeconds: payload.timeoutSeconds }, withdrawn.signal)
        .then((answer) => {
          if (answer && !withdrawn.signal.aborted) send(answer);
        })
        .catch(() => undefined)
        .finally(() => clearInterval(watch));
    };
    const runId = claim ? plannedRunId : runIdAt(sim.clock.now());
    const startedVirtual = sim.clock.now();
    const startedReal = Date.now();
    // Ctrl-C: the executions are stopped, then each one's end runs the cleanup EventBridge would start in AWS.
    let stopping: Promise<CleanupResult[]> | undefined;
    const stop = (): void => {
      stopping ??= runner.abortAll().then(async (aborted) => {
        const results: CleanupResult[] = [];
        for (const e of aborted)
          results.push(await cleanupExecution({ detail: { executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: 'ABORTED', input: JSON.stringify(e.input) } }, deps));
        return results;
      });
    };
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
    // Other processes reach the run while it waits: task tokens (approve, reject) and StopExecution (abort).
    stepFunctions = await serveStepFunctions(runner, async (arn) => {
      if (!arn.endsWith(`:${runId}`)) return false;
      stop();
      return true;
    });
    const endpoints: RehearsalEndpoints = { dynamodb: dynamo.endpoint, stepFunctions: stepFunctions.endpoint };
    claim?.advertise(endpoints);
    options.onEndpoints?.(endpoints);
    let input: JsonObject = toPlainJson({
      runId,
      trigger: 'local',
      ...(options.selection?.selector
        ? { selector: options.selection.selector }
        : { clusters: (options.selection?.clusters ?? options.fleet.clusters).map((c) => ({ name: c.name, region: c.region, accountId: c.accountId, ...('roleArn' in c && c.roleArn ? { roleArn: c.roleArn } : {}) })) }),
      ...(options.selection?.waveTag ? { waveTag: options.selection.waveTag } : {}),
      ...(options.selection?.skipTag ? { skipTag: options.selection.skipTag } : {}),
      options: upgrade,
    });
    // As `cni-fleet start` does: a list over 48 KiB of input goes to the progress table (lib/operator/stored-list.ts).
    if (needsStoredList(input)) input = await storeClusterList(store, runId, input);
    let execution: RehearsalExecution = { status: 'SUCCEEDED', error: null, cause: null };
    try {
      await runner.runFleet(input, runId);
    } catch (error) {
      // The library's ExecutionError carries the failing state's error as its cause. A bad input stops here
      // (nothing ran); any other failure still leaves records to report.
      const cause = ((error as Error).cause ?? error) as { name?: string; message?: string };
      if (cause.name === 'InputValidationError') throw cause;
      execution = { status: 'FAILED', error: options.signal?.aborted ? 'Interrupted' : (cause.name ?? 'Error'), cause: cause.message ?? String(error) };
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
    if (stopping) await stopping;
    const records = await store.listRunClusters(runId);
    const waveTag = options.selection?.waveTag ?? DEFAULT_WAVE_TAG;
    const waveOf = (name: string, region: string): string => options.fleet.clusters.find((c) => c.name === name && c.region === region)?.tags?.[waveTag] ?? '';
    const clusters = toReport(runId, records, sim, waveOf);
    const byStatus: Record<string, number> = {};
    for (const c of clusters) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    const eksCallsByOperation: Record<string, number> = {};
    for (const c of sim.calls) eksCallsByOperation[c.operation] = (eksCallsByOperation[c.operation] ?? 0) + 1;
    return {
      runId,
      execution,
      dryRun: upgrade.dryRun,
      waveTag,
      interrupted: stopping !== undefined,
      clusters,
      summary: {
        total: clusters.length,
        byStatus,
        hops: clusters.reduce((n, c) => n + c.hops.filter((h) => h.status === 'SUCCEEDED').length, 0),
        eksCalls: sim.count(),
        eksMutatingCalls: sim.count({ mutating: true }),
        eksCallsByOperation,
        kubernetesRequests: sim.kubernetesCalls.length,
        dynamoRequestsByOperation: { ...dynamo.requests },
        virtualSeconds: Math.round((sim.clock.now() - startedVirtual) / 1000),
        realSeconds: Math.round((Date.now() - startedReal) / 100) / 10,
      },
      store,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Closes what a process that died during its rehearsal left open in the folder: its run's unfinished clusters and
 * hops (ABORTED), the locks its executions held, the run itself. Every execution of that run died with the
 * process, so each of the run's locks is released, and only those (a lock records its run).
 */
async function recover(dataDir: string, previous: DataDirOwner, deps: StepDeps): Promise<Recovery> {
  if (previous.runId === null) return { dataDir, previous, runId: null, releasedLocks: [], abortedClusters: [], runClosed: false };
  const closed = await abortRun(previous.runId, deps, {
    error: { name: 'ProcessEnded', message: `process ${previous.pid} ended during the rehearsal (killed or crashed); the next rehearsal on ${dataDir} closed what it left open` },
    releaseLocks: true,
    endedBy: `process ${previous.pid}`,
  });
  return { dataDir, previous, ...closed };
}
