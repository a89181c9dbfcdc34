import './polyfills.js';
import { createHash } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition, AslState } from './asl-definition.js';
import { forEachState, functionKeyOf, loadDefinition } from './asl-definition.js';
import type { VirtualTimer } from './virtual-timer.js';
import { scaledTimer } from './virtual-timer.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A Lambda task run in-process: the same handler code AWS runs, given the state's input. */
export type LocalTask = (input: unknown) => Promise<unknown>;

/** One task invocation, for live progress and the report's timeline. */
export interface TaskEvent {
  readonly stateName: string;
  readonly functionKey: string;
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: Error;
  /** Virtual epoch ms. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Real milliseconds the handler ran (what Lambda would bill, here sharing one event loop). */
  readonly realMs: number;
}

/**
 * One state entered, or one retry of a state: what Step Functions Standard bills as a state transition
 * (facts §8.2: "retries count as transitions").
 */
export interface TransitionEvent {
  readonly machine: 'UpgradeFleetStateMachine' | 'UpgradeClusterStateMachine';
  readonly stateName: string;
  readonly stateType: string;
  readonly kind: 'entered' | 'retried';
}

export interface LocalRunnerOptions {
  /** Handlers by the function key the ASL names in `Fn::GetAtt` (e.g. `applyHop`). */
  readonly tasks: Readonly<Record<string, LocalTask>>;
  /** Virtual seconds per real second: Wait states and Retry intervals are scaled by it (the simulator's clock). */
  readonly speed: number;
  /** How Waits and Retry intervals spend virtual time; default `scaledTimer(speed)` (lib/local/virtual-timer.ts). */
  readonly timer?: VirtualTimer;
  /** Virtual time, epoch ms. */
  readonly now: () => number;
  readonly onTask?: (event: TaskEvent) => void;
  /** Every state entered and every retry, from the library's event log (Map iterations included). */
  readonly onTransition?: (event: TransitionEvent) => void;
}

const LOCAL_ACCOUNT = '000000000000';
const lambdaArn = (key: string): string => `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:cni-fleet-local-${key}`;
const stateMachineArn = (name: string): string => `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:${name}`;
const VIRTUAL_WAIT = 'virtualWait';

/** A Retry rule as the ASL writes it. */
interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

/**
 * The virtual delay before the next attempt, or undefined when the state's Retry does not retry this error (no
 * match, or attempts used up) — the same rules aws-local-stepfunctions applies (States Language: ErrorEquals by
 * name, States.ALL, States.TaskFailed; IntervalSeconds × BackoffRate^attempt capped by MaxDelaySeconds; defaults
 * 1 s, 3 attempts, rate 2). Jitter is left out so that a rehearsal is reproducible.
 */
function retryDelayMs(retriers: readonly Retrier[], attempts: number[], error: unknown): number | undefined {
  const name = (error as { name?: string } | undefined)?.name;
  for (const [i, retrier] of retriers.entries()) {
    if (!retrier.ErrorEquals.some((e) => e === name || e === 'States.ALL' || e === 'States.TaskFailed')) continue;
    const done = attempts[i] ?? 0;
    if (done >= (retrier.MaxAttempts ?? 3)) return undefined;
    attempts[i] = done + 1;
    const seconds = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
    return Math.min(seconds, retrier.MaxDelaySeconds ?? Infinity) * 1000;
  }
  return undefined;
}

/**
 * An execution `abortAll` stopped, with what EventBridge's "Step Functions Execution Status Change" event carries
 * about it in AWS, so the same cleanup (lib/steps/cleanup-execution.ts) can run on it.
 */
export interface AbortedExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: unknown;
}

/** What a Task of an aborted execution fails with, should the library still start one. */
class ExecutionStoppedError extends Error {
  override name = 'States.Runtime';
}

/** Error raised to the parent when a child execution fails, as `startExecution.sync` does in AWS. */
class ChildExecutionFailed extends Error {
  override name = 'States.TaskFailed';
}

interface Prepared {
  readonly definition: AslDefinition;
  /** state name → function key, for taskResourceLocalHandlers (keyed by state name, Map states included). */
  readonly taskStates: Map<string, string>;
  readonly childStates: Set<string>;
  readonly retriers: Map<string, Retrier[]>;
  /** 0 for every retrier: the library retries at once, after the runner has slept the interval (see wrap). */
  readonly retryOverrides: Record<string, number[]>;
}

/**
 * Makes a deployable definition runnable here without changing what it does: `Fn::GetAtt`/`Ref` become local
 * ARNs (the plugin resolves them at deploy time), Wait states become a virtual sleep on the simulator's clock
 * (same input, same output, same transitions), and Retry intervals are slept on the same virtual timer.
 */
function prepare(definition: AslDefinition): Prepared {
  const copy = structuredClone(definition);
  const taskStates = new Map<string, string>();
  const childStates = new Set<string>();
  const retryOverrides: Record<string, number[]> = {};
  const retriers = new Map<string, Retrier[]>();
  forEachState(copy, (name, state: AslState) => {
    const key = functionKeyOf(state);
    if (key) {
      state.Resource = lambdaArn(key);
      taskStates.set(name, key);
    }
    if (state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::states:startExecution')) {
      const params = state.Parameters as { StateMachineArn?: unknown } | undefined;
      if (params && typeof params.StateMachineArn === 'object') {
        const ref = (params.StateMachineArn as { Ref?: string }).Ref ?? 'child';
        params.StateMachineArn = stateMachineArn(ref);
      }
      childStates.add(name);
    }
    if (state.Type === 'Wait') {
      const seconds = state.SecondsPath ? { 'seconds.$': state.SecondsPath } : { seconds: state.Seconds ?? 0 };
      for (const k of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[k];
      Object.assign(state, { Type: 'Task', Resource: lambdaArn(VIRTUAL_WAIT), Parameters: seconds, ResultPath: null });
      taskStates.set(name, VIRTUAL_WAIT);
    }
    const retry = state.Retry as Retrier[] | undefined;
    if (retry) {
      retriers.set(name, retry);
      retryOverrides[name] = retry.map(() => 0);
    }
  });
  return { definition: copy, taskStates, childStates, retriers, retryOverrides };
}

/**
 * Runs statemachines/upgrade-fleet.asl.json and statemachines/upgrade-cluster.asl.json in-process with
 * aws-local-stepfunctions: Lambda tasks call the given handlers, a fleet's `UpgradeCluster` runs the cluster
 * definition as a child execution, waits run on the virtual clock.
 *
 * @example
 * const runner = createLocalRunner({ tasks, speed: 100, now: sim.clock.now });
 * const summary = await runner.runFleet({ clusters: [{ name: 'c1', region: 'us-east-1' }] }, 'run-1');
 */
export function createLocalRunner(options: LocalRunnerOptions) {
  const cluster = prepare(loadDefinition('upgrade-cluster'));
  const fleet = prepare(loadDefinition('upgrade-fleet'));
  const timer = options.timer ?? scaledTimer(options.speed);
  // For abortAll: the executions still running, and the task invocations in flight.
  const running = new Map<string, { readonly execution: AbortedExecution; readonly abort: () => void }>();
  const inFlight = new Set<Promise<unknown>>();
  let aborted = false;

  const invoke = async (stateName: string, key: string, task: LocalTask, input: unknown): Promise<unknown> => {
    const startedAt = options.now();
    const realStart = performance.now();
    try {
      const output = await task(input);
      options.onTask?.({ stateName, functionKey: key, input, output, startedAt, endedAt: options.now(), realMs: performance.now() - realStart });
      return output;
    } catch (error) {
      options.onTask?.({ stateName, functionKey: key, input, error: error as Error, startedAt, endedAt: options.now(), realMs: performance.now() - realStart });
      throw error;
    }
  };

  /** One execution's handler for a Task state; `attempts` is that execution's Retry count per state entry. */
  const wrap = (prepared: Prepared, stateName: string, key: string, attempts: Map<string, number[]>): LocalTask => {
    if (key === VIRTUAL_WAIT)
      return async (input) => {
        await timer.sleep(Number((input as { seconds?: number }).seconds ?? 0) * 1000);
        return input;
      };
    const task = options.tasks[key];
    if (!task) throw new Error(`No local handler for function "${key}" (state ${stateName})`);
    const retriers = prepared.retriers.get(stateName) ?? [];
    return async (input) => {
      // A Map iteration queued before the abort may still start: it must not reach a handler.
      if (aborted) throw new ExecutionStoppedError('the execution was aborted');
      try {
        const call = timer.track(() => invoke(stateName, key, task, input));
        inFlight.add(call);
        void call.catch(() => undefined).finally(() => inFlight.delete(call));
        const output = await call;
        attempts.delete(stateName);
        return output;
      } catch (error) {
        const counts = attempts.get(stateName) ?? [];
        attempts.set(stateName, counts);
        const delay = retryDelayMs(retriers, counts, error);
        if (delay === undefined) attempts.delete(stateName);
        else await timer.sleep(delay);
        throw error;
      }
    };
  };

  // Validated once, as CreateStateMachine does at deploy time: asl-validator per child execution dominated the CPU
  // profile of a 1,000-cluster rehearsal (bench/).
  const machines = new Map<Prepared, StateMachine>();
  for (const prepared of [cluster, fleet])
    machines.set(prepared, new StateMachine(prepared.definition as never, { validationOptions: { checkArn: false, checkPaths: true } }));
  const handlersFor = (prepared: Prepared): Record<string, (input: Json) => Promise<Json>> => {
    const attempts = new Map<string, number[]>();
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, key] of prepared.taskStates) handlers[stateName] = wrap(prepared, stateName, key, attempts) as (input: Json) => Promise<Json>;
    // Not tracked: the child's own tasks are, and a parent waiting for its child must not hold virtual time still.
    for (const stateName of prepared.childStates) handlers[stateName] = (async (childInput: unknown) => runChild(childInput)) as (input: Json) => Promise<Json>;
    return handlers;
  };

  const countTransitions = async (prepared: Prepared, machineName: TransitionEvent['machine'], events: AsyncIterable<{ type: string; state?: { name: string; type: string } }>) => {
    const onTransition = options.onTransition;
    if (!onTransition) return;
    for await (const event of events) {
      if (!event.state) continue;
      // Wait states run as a virtual-sleep Task here (prepare); report them as the Wait they are.
      const stateType = prepared.taskStates.get(event.state.name) === VIRTUAL_WAIT ? 'Wait' : event.state.type;
      if (event.type === 'StateEntered') onTransition({ machine: machineName, stateName: event.state.name, stateType, kind: 'entered' });
      else if (event.type === 'StateRetried') onTransition({ machine: machineName, stateName: event.state.name, stateType, kind: 'retried' });
    }
  };

  const execute = async (prepared: Prepared, machineName: TransitionEvent['machine'], input: unknown, executionName: string): Promise<unknown> => {
    const machine = machines.get(prepared) as StateMachine;
    const handlers = handlersFor(prepared);
    const executionArn = `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:execution:${machineName}:${executionName}`;
    if (aborted) throw new ExecutionStoppedError(`${executionName} was not started: the runner was aborted`);
    const execution = machine.run(input as Json, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: prepared.retryOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName, StartTime: new Date(options.now()).toISOString(), Input: input as Json, RoleArn: 'local' },
        StateMachine: { Id: stateMachineArn(machineName), Name: machineName },
      } as never,
    });
    if (options.onTransition) void countTransitions(prepared, machineName, execution.eventLogs);
    running.set(executionArn, { execution: { executionArn, stateMachineArn: stateMachineArn(machineName), name: executionName, input }, abort: execution.abort });
    try {
      return await execution.result;
    } finally {
      running.delete(executionArn);
    }
  };

  // The state's resolved Parameters are StartExecution's request; the child runs with its `Input`.
  const runChild = async (request: unknown): Promise<unknown> => {
    const childInput = (request as { Input?: unknown }).Input;
    const name = `c-${createHash('sha256').update(JSON.stringify(childInput)).digest('hex').slice(0, 24)}`;
    try {
      const output = await execute(cluster, 'UpgradeClusterStateMachine', childInput, name);
      return { Status: 'SUCCEEDED', Output: output, ExecutionArn: name };
    } catch (error) {
      const cause = (error as Error).cause as { name?: string; message?: string } | undefined;
      throw new ChildExecutionFailed(JSON.stringify({ Error: cause?.name ?? 'States.TaskFailed', Cause: cause?.message ?? String(error) }));
    }
  };

  return {
    /**
     * Stops every running execution, as StopExecution does in AWS: each one's result rejects with the library's
     * ExecutionAbortedError and no further state starts. Task invocations already in flight run to their end (as
     * a Lambda invocation does when its execution is stopped) and are awaited, so their writes land before a
     * cleanup reads. Cluster executions come first in the list, the fleet executions that started them last.
     *
     * @example
     * for (const e of await runner.abortAll()) await cleanupExecution({ detail: { ...e, status: 'ABORTED', input: JSON.stringify(e.input) } }, deps);
     */
    async abortAll(): Promise<AbortedExecution[]> {
      aborted = true;
      const stopped = [...running.values()];
      for (const { abort } of stopped) abort();
      for (let round = 0; inFlight.size > 0 && round < 100; round += 1) await Promise.allSettled([...inFlight]);
      const isFleet = (e: AbortedExecution): boolean => e.stateMachineArn.endsWith(':UpgradeFleetStateMachine');
      return stopped.map((s) => s.execution).sort((a, b) => Number(isFleet(a)) - Number(isFleet(b)));
    },
    /** Runs the cluster workflow; rejects with the library's ExecutionError (its `cause` carries the typed error). */
    runCluster: (input: unknown, executionName: string) => execute(cluster, 'UpgradeClusterStateMachine', input, executionName),
    runFleet: (input: unknown, executionName: string) => execute(fleet, 'UpgradeFleetStateMachine', input, executionName),
  };
}
