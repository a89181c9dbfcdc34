import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setLogLevel } from '../../functions/step-handler.js';
import { createAwsClients, simulatorAccountCredentials, type EksClientFactory } from '../../lib/aws/clients.js';
import type { FleetFile } from '../../lib/fleet/fleet-file.js';
import { startDynamo, type LocalDynamo } from '../../rehearsal/dynamo-server.js';
import { localTasks } from '../../rehearsal/rehearsal.js';
import { eventTimer } from '../../rehearsal/runner/virtual-timer.js';
import { createLocalRunner, type LocalRunner, type PendingTaskToken, type TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { localNotifier, type Notice } from '../../lib/controls/notifier.js';
import { ensureTable } from '../../lib/store/create-table.js';
import { createProgressStore, type ProgressStore } from '../../lib/store/progress-store.js';
import { newCatalogueCache } from '../../lib/addon/eks-catalogue.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { createVirtualClock } from '../../sim/clock.js';
import { startSimulator, type Simulator } from '../../sim/server.js';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const ACCOUNT = '111122223333';

/** One simulated fleet loaded into the shared workflow: its simulator and its own progress table. */
export interface LoadedFleet {
  readonly sim: Simulator;
  readonly store: ProgressStore;
  readonly tableName: string;
  /** Task events of this fleet's executions, in order. */
  readonly events: TaskEvent[];
  /** Notices the workflow sent operators (an approval waiting), in order. */
  readonly notices: Notice[];
  close(): Promise<void>;
}

/** What a load may change besides the fleet: its EKS clients, and who answers its approval gates. */
export interface LoadOptions {
  readonly eksFor?: (endpoint: string) => EksClientFactory;
  /**
   * Called when a callback Task waits (an approval): a test answers it here or through a second client. A returned
   * promise holds virtual time until it settles; without this, nobody answers and time runs to the gate's timeout.
   */
  readonly onTaskToken?: (task: PendingTaskToken) => void | Promise<void>;
}

/** The real definitions and handlers over one dynalite, re-pointed at a new simulator per fleet. */
export interface LocalWorkflow {
  /**
   * Starts a simulator for `fleet`, creates a fresh progress table, and makes both the current target.
   * `eksFor` builds the EKS clients instead of the default local ones (e.g. through an STS, or per account).
   */
  load(fleet: FleetFile, options?: LoadOptions): Promise<LoadedFleet>;
  /** The runner itself: its task tokens (SendTaskSuccess/Failure) for a test acting as an operator. */
  readonly runner: LocalRunner;
  /** The dynalite every fleet's table lives in: what a second client (the CLI) reaches as DynamoDB. */
  readonly dynamoEndpoint: string;
  runCluster(input: unknown, executionName: string): Promise<unknown>;
  runFleet(input: unknown, executionName: string): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The workflow exactly as `rehearse({ virtualTime: 'event' })` runs it (rehearsal/rehearsal.ts: the real ASL
 * through the local runner, the real handlers via `localTasks`, the simulator over HTTP, dynalite), but built once
 * and re-pointed per fleet: the runner validates both definitions once, and dynalite starts once. Loads must not
 * overlap. Time is discrete-event (rehearsal/runner/virtual-timer.ts): it stands still while a task runs and jumps to the
 * next wake-up when every execution waits, so what a run does depends on the workflow, not on this machine's load.
 *
 * @example
 * const workflow = await startLocalWorkflow();
 * const fleet = await workflow.load(parseFleetFile(text));
 * await workflow.runFleet({ clusters: [{ name: 'c1', region: 'us-east-1' }] }, 'run-1');
 * await fleet.close();
 * await workflow.close();
 */
export async function startLocalWorkflow(): Promise<LocalWorkflow> {
  setLogLevel('SILENT');
  // One clock for every fleet: it only moves forward, and each simulator starts at its current time.
  const clock = createVirtualClock({ start: Date.now(), realNow: () => 0, speed: 1 });
  const dynamo: LocalDynamo = await startDynamo({});
  const shared: { dynamo: DynamoDBClient; doc: DynamoDBDocumentClient } = createAwsClients({ region: 'us-east-1', dynamoEndpoint: dynamo.endpoint, credentials: CREDENTIALS });
  let current: { sim: Simulator; deps: StepDeps; events: TaskEvent[]; onTaskToken?: LoadOptions['onTaskToken'] } | undefined;
  const active = () => {
    if (!current) throw new Error('no fleet loaded');
    return current;
  };
  // Getters: the handlers are built once, and read the current fleet's clients and store on every invocation.
  const deps: StepDeps = {
    get eksFor() {
      return active().deps.eksFor;
    },
    get store() {
      return active().deps.store;
    },
    now: () => new Date(clock.now()),
    accountId: ACCOUNT,
    get cache() {
      return active().deps.cache;
    },
    get cloudWatchFor() {
      return active().deps.cloudWatchFor;
    },
    region: 'us-east-1',
    get notifier() {
      return active().deps.notifier;
    },
  };
  const runner = createLocalRunner({
    tasks: localTasks(deps),
    speed: 1,
    timer: eventTimer(clock),
    now: () => clock.now(),
    onTask: (e) => active().events.push(e),
    onTaskToken: (task) => active().onTaskToken?.(task),
  });
  let tables = 0;

  return {
    async load(fleet, options = {}) {
      const sim = await startSimulator({ fleet, clock, unref: true });
      const clients = createAwsClients({ region: 'us-east-1', eksEndpoint: sim.endpoint, cloudWatchEndpoint: sim.endpoint, credentials: CREDENTIALS, accountCredentials: simulatorAccountCredentials });
      const eksFor = options.eksFor ? options.eksFor(sim.endpoint) : clients.eksFor;
      tables += 1;
      const tableName = `progress-${tables}`;
      await ensureTable(shared.dynamo, tableName, { pollIntervalMs: 5, maxPolls: 200 });
      const store = createProgressStore({ doc: shared.doc, tableName, now: deps.now });
      const events: TaskEvent[] = [];
      const notifier = localNotifier();
      current = {
        sim,
        events,
        deps: { eksFor, store, now: deps.now, accountId: ACCOUNT, cache: newCatalogueCache(), cloudWatchFor: clients.cloudWatchFor, region: 'us-east-1', notifier },
        ...(options.onTaskToken ? { onTaskToken: options.onTaskToken } : {}),
      };
      return {
        sim,
        store,
        tableName,
        events,
        notices: notifier.notices,
        close: async () => {
          await sim.close();
        },
      };
    },
    runner,
    dynamoEndpoint: dynamo.endpoint,
    runCluster: (input, executionName) => runner.runCluster(input, executionName),
    // A fleet with FAILED clusters ends its execution FAILED (FleetRunFailed) by design: the records tell the rest.
    runFleet: (input, executionName) =>
      runner.runFleet(input, executionName).catch((error: unknown) => {
        if (executionCause(error).name === 'FleetRunFailed') return { failed: executionCause(error).message };
        throw error;
      }),
    async close() {
      shared.dynamo.destroy();
      await dynamo.close();
    },
  };
}

/** The typed error a failed local execution carries (the library's ExecutionError wraps it as `cause`). */
export function executionCause(error: unknown): { name?: string; message?: string; field?: string } {
  return ((error as { cause?: unknown }).cause ?? {}) as { name?: string; message?: string; field?: string };
}

/** The cluster a task event belongs to: a cluster task's input, or the fleet's per-cluster start. */
const clusterOfTask = (e: TaskEvent): string | undefined => {
  const input = e.input as { cluster?: { name?: string }; input?: { cluster?: { name?: string } } };
  return input.cluster?.name ?? input.input?.cluster?.name;
};

/** Each cluster's execution from its first task to its last, in virtual ms. */
export function clusterSpans(events: readonly TaskEvent[]): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  for (const e of events) {
    const name = clusterOfTask(e);
    if (!name) continue;
    const s = out.get(name);
    if (s) {
      s.start = Math.min(s.start, e.startedAt);
      s.end = Math.max(s.end, e.endedAt);
    } else out.set(name, { start: e.startedAt, end: e.endedAt });
  }
  return out;
}
