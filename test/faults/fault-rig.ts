import { setLogLevel } from '../../functions/step-handler.js';
import { createAwsClients, simulatorAccountCredentials } from '../../lib/aws/clients.js';
import { localNotifier } from '../../lib/controls/notifier.js';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { localTasks, rehearsalHome } from '../../rehearsal/rehearsal.js';
import type { AbortedExecution, LocalTask, TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { createLocalRunner } from '../../rehearsal/runner/workflow-runner.js';
import type { UpgradeOptionsInput } from '../../lib/schemas/upgrade-options.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { newCatalogueCache } from '../../lib/addon/eks-catalogue.js';
import type { RunSummary } from '../../lib/steps/summarize-run.js';
import { createProgressStore } from '../../lib/store/progress-store.js';
import type { ProgressStore } from '../../lib/store/progress-store.js';
import { parseOrThrow } from '../../lib/validation/parse-or-throw.js';
import { startSimulator } from '../../sim/server.js';
import type { Simulator } from '../../sim/server.js';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { HomeAccount } from '../../lib/schemas/target-account.js';
import type { DynamoTarget } from '../helpers/start-dynamo.js';
import { startTestDynamo } from '../helpers/start-dynamo.js';
import type { FleetLike } from '../helpers/start-simulator.js';

/** The Lambda tasks by function key (`applyHop`, `pollHop`, …), as `localTasks` builds them. */
export type TaskMap = Record<string, LocalTask>;

/** A fleet of `clusters` whose updates take 30 virtual s and whose nodes roll at once: what most fault tests start. */
export const quickFleet = (clusters: FleetLike['clusters']): FleetLike => ({ settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters });

export interface FaultRigOptions {
  readonly fleet: FleetLike;
  /** Virtual seconds per real second (simulator clock, Wait states, Retry intervals). */
  readonly speed?: number;
  /** Which DynamoDB holds the progress log; dynalite by default. */
  readonly dynamo?: DynamoTarget;
  /**
   * Wraps the real handlers at the Lambda boundary, the way the Lambda service fails around them
   * (Lambda.ServiceException, Sandbox.Timedout, …). The wrapped handlers are the deployed code, unchanged.
   */
  readonly wrapTasks?: (tasks: TaskMap) => TaskMap;
  /** The deployment's account and roles; default: the rehearsal's (rehearsalHome). */
  readonly home?: HomeAccount;
  /** Where the handlers' EKS clients send their requests, given the simulator's endpoint (e.g. a proxy in front of it). */
  readonly eksEndpoint?: (simulatorEndpoint: string) => Promise<string>;
  /** The credentials each account's EKS client signs with; default: that account's own (simulatorAccountCredentials). */
  readonly accountCredentials?: (accountId: string) => AwsCredentialIdentity;
}

/** How one cluster execution ended: its output, or the typed error its Fail state carries. */
export interface ExecutionEnd {
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * The workflow as `rehearse` runs it (simulator over HTTP, a local DynamoDB, the real definitions through the
 * local runner over the real handlers), kept open between executions so a test can run a cluster twice,
 * run two executions at once, move the virtual clock, or fail the Lambda boundary.
 */
export interface FaultRig {
  readonly sim: Simulator;
  readonly store: ProgressStore;
  readonly deps: StepDeps;
  /** The handlers the runner calls (after `wrapTasks`). */
  readonly tasks: TaskMap;
  /** Every task invocation of every execution, in completion order. */
  readonly events: TaskEvent[];
  /** Runs the fleet workflow over the fleet file's clusters (or the named ones); resolves with SummarizeRun's output. */
  runFleet(runId: string, options?: UpgradeOptionsInput, names?: readonly string[]): Promise<RunSummary>;
  /** Runs the cluster workflow for one cluster as execution `executionName` (and run `runId`, if given); never rejects. */
  runCluster(name: string, executionName: string, options?: UpgradeOptionsInput, runId?: string): Promise<ExecutionEnd>;
  /** Runs the cluster workflow with an execution input as written; never rejects. */
  runClusterInput(input: unknown, executionName: string): Promise<ExecutionEnd>;
  /**
   * Stops every running execution (as StopExecution does) and returns them; later runs use a fresh runner over the
   * same simulator and table, as new executions in AWS would.
   */
  abortAll(): Promise<AbortedExecution[]>;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts a rig. Close it in afterAll.
 *
 * @example
 * const rig = await startFaultRig({ fleet: { clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' } }] } });
 * const end = await rig.runCluster('c1', 'exec-1');
 * await rig.close();
 */
export async function startFaultRig(options: FaultRigOptions): Promise<FaultRig> {
  const fleet = parseOrThrow(FleetFile, options.fleet, 'fleet');
  const speed = options.speed ?? 1000;
  setLogLevel('SILENT');
  const dynamo = await (options.dynamo?.start ?? startTestDynamo)();
  // The simulator's faults run on its clock from its start (CLUSTER_UPDATING, an add-on UPDATING, …), so it
  // starts last: the cold start (DynamoDB table, the state machines' validation, first requests) happens before,
  // where it costs no virtual time. Until then the handlers' dependencies have no simulator behind them.
  const started: { current?: { sim: Simulator; eksFor: StepDeps['eksFor']; cloudWatchFor: StepDeps['cloudWatchFor'] } } = {};
  const need = () => {
    if (!started.current) throw new Error('the simulator has not started yet');
    return started.current;
  };
  const virtualNow = (): number => (started.current ? started.current.sim.clock.now() : Date.now());
  const now = (): Date => new Date(virtualNow());
  const store = createProgressStore({ doc: dynamo.doc, tableName: dynamo.tableName, now });
  const deps: StepDeps = {
    get eksFor() {
      return need().eksFor;
    },
    store,
    now,
    ...(options.home ?? rehearsalHome(fleet)),
    cache: newCatalogueCache(),
    get cloudWatchFor() {
      return need().cloudWatchFor;
    },
    region: 'us-east-1',
    notifier: localNotifier(),
  };
  const real = localTasks(deps);
  const tasks = options.wrapTasks ? options.wrapTasks(real) : real;
  const events: TaskEvent[] = [];
  const newRunner = () => createLocalRunner({ tasks, speed, now: virtualNow, onTask: (e) => events.push(e) });
  let runner = newRunner();
  // Warm-up: invalid inputs end at ValidateInput / ValidateFleetInput, before any EKS call or record.
  await runner.runCluster({}, 'warm-up').catch(() => undefined);
  await runner.runFleet({}, 'warm-up').catch(() => undefined);
  await store.getLock(`${deps.accountId}/us-east-1/warm-up`);
  events.length = 0;
  let sim: Simulator;
  try {
    sim = await startSimulator({ fleet, speed, unref: true });
  } catch (error) {
    await dynamo.close();
    throw error;
  }
  const eksEndpoint = options.eksEndpoint ? await options.eksEndpoint(sim.endpoint) : sim.endpoint;
  const clients = createAwsClients({ region: 'us-east-1', eksEndpoint, cloudWatchEndpoint: sim.endpoint, credentials: LOCAL_CREDENTIALS, accountCredentials: options.accountCredentials ?? simulatorAccountCredentials });
  started.current = { sim, eksFor: clients.eksFor, cloudWatchFor: clients.cloudWatchFor };
  const runClusterInput = async (input: unknown, executionName: string): Promise<ExecutionEnd> => {
    try {
      return { output: await runner.runCluster(input, executionName) };
    } catch (error) {
      // aws-local-stepfunctions' ExecutionError carries the Fail state's error as its cause.
      const cause = (error as Error).cause as { name?: string; message?: string } | undefined;
      return { error: { name: cause?.name ?? (error as Error).name, message: cause?.message ?? (error as Error).message } };
    }
  };
  const byName = (name: string) => {
    const c = fleet.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no cluster ${name} in the fleet`);
    return c;
  };

  return {
    sim,
    store,
    deps,
    tasks,
    events,
    runFleet: async (runId, upgrade = {}, names) => {
      const clusters = (names ? names.map(byName) : fleet.clusters).map((c) => ({ name: c.name, region: c.region, accountId: c.accountId }));
      try {
        return (await runner.runFleet({ runId, trigger: 'local', clusters, options: upgrade }, runId)) as RunSummary;
      } catch (error) {
        // A fleet run with FAILED clusters (or halted) ends its execution FAILED; its summary is on the run record.
        if (((error as Error).cause as { name?: string } | undefined)?.name !== 'FleetRunFailed') throw error;
        return (await store.getRun(runId))?.summary as unknown as RunSummary;
      }
    },
    runCluster: (name, executionName, upgrade = {}, runId) => {
      const c = byName(name);
      const input = { ...(runId ? { runId } : {}), cluster: { name: c.name, region: c.region, accountId: c.accountId }, options: upgrade, trigger: 'local' };
      return runClusterInput(input, executionName);
    },
    runClusterInput,
    abortAll: async () => {
      const stopped = runner;
      runner = newRunner();
      return stopped.abortAll();
    },
    close: async () => {
      await sim.close();
      await dynamo.close();
    },
  };
}

/** The cluster key the workflow uses for the fleet file's defaults (account 111122223333, us-east-1). */
export const keyOf = (name: string, region = 'us-east-1', accountId = '111122223333'): string => `${accountId}/${region}/${name}`;

/** Names of the tasks that ran for one cluster (successful invocations), in order. */
export const statesOf = (events: readonly TaskEvent[], name: string, options: { failed?: boolean } = {}): string[] =>
  events
    .filter((e) => {
      const input = e.input as { cluster?: { name?: string }; input?: { cluster?: { name?: string } } };
      return (input.cluster?.name ?? input.input?.cluster?.name) === name && Boolean(e.error) === Boolean(options.failed);
    })
    .map((e) => e.stateName);
