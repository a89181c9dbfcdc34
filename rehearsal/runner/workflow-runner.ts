import './polyfills.js';
import { createHash } from 'node:crypto';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition } from './asl-definition.js';
import { CLUSTER_MACHINE, deployedDefinitions, FLEET_MACHINE } from './asl-definition.js';
import type { ExecutionEndEvent, Observers, TransitionEvent } from './execution-record.js';
import { consumeEvents, ExecutionRecord } from './execution-record.js';
import type { JsonValue } from '../../lib/json.js';
import type { StartedItem } from './map-run.js';
import { runMap } from './map-run.js';
import type { CallbackSpec, MapSpec, PreparedMachine, Retrier } from './prepare-definition.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, TASK_TOKEN_PLACEHOLDER, lambdaArn, prepareMachine, stateMachineArn } from './prepare-definition.js';
import type { StatesError } from './states-errors.js';
import { CallbackTaskFailure, executionStopped, payloadTooLarge, statesRuntime, taskResultTooLarge, taskTimedOut } from './states-errors.js';
import type { PendingTaskToken, TaskAnswer } from './task-tokens.js';
import { TaskTokens } from './task-tokens.js';
import { PAYLOAD_LIMIT_BYTES, payloadBytes } from './step-functions-quotas.js';
import type { VirtualTimer } from './virtual-timer.js';
import { scaledTimer } from './virtual-timer.js';

/** The library's input and Task handler types: the same JSON as lib/json.ts's, but typed mutable. */
type RunInput = Parameters<StateMachine['run']>[0];
type RunHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

export type { ExecutionEndEvent, TransitionEvent } from './execution-record.js';
export type { PendingTaskToken } from './task-tokens.js';
export { TaskTokenApiError } from './task-tokens.js';

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

export interface LocalRunnerOptions {
  /** Handlers by the function key the ASL names in `Fn::GetAtt` (e.g. `applyHop`). */
  readonly tasks: Readonly<Record<string, LocalTask>>;
  /** Virtual seconds per real second: Wait states and Retry intervals are scaled by it (the simulator's clock). */
  readonly speed: number;
  /** How Waits and Retry intervals spend virtual time; default `scaledTimer(speed)` (rehearsal/runner/virtual-timer.ts). */
  readonly timer?: VirtualTimer;
  /** Virtual time, epoch ms. */
  readonly now: () => number;
  /**
   * The state machines by name (a `{"Ref": name}` or `…:stateMachine:name` StartExecution target starts `name`);
   * default: the two deployed workflows from statemachines/. Tests pass small synthetic definitions here.
   */
  readonly machines?: Readonly<Record<string, AslDefinition>>;
  readonly onTask?: (event: TaskEvent) => void;
  /** Every state entered and every retry, in every execution (Map iterations and child executions included). */
  readonly onTransition?: (event: TransitionEvent) => void;
  /** Every execution once it has ended: its kind, outcome, history length and largest payload. */
  readonly onExecutionEnd?: (event: ExecutionEndEvent) => void;
  /**
   * A callback Task (`.waitForTaskToken`) invoked its function and now waits for its token to be answered. An
   * observer that answers it, or waits for someone who will (a prompt, a second client), returns a promise: virtual
   * time stands still until it settles, as it does while a task runs. Without one, discrete-event time jumps on to
   * the Task's timeout as soon as every execution waits.
   */
  readonly onTaskToken?: (task: PendingTaskToken) => void | Promise<void>;
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

export interface LocalRunner {
  /**
   * Runs state machine `machine` as execution `executionName`. Rejects with aws-local-stepfunctions'
   * ExecutionError, whose `cause` is the error the execution failed with (`name`, `message`).
   */
  start(machine: string, input: unknown, executionName: string): Promise<unknown>;
  /** `start('UpgradeClusterStateMachine', …)`. */
  runCluster(input: unknown, executionName: string): Promise<unknown>;
  /** `start('UpgradeFleetStateMachine', …)`. */
  runFleet(input: unknown, executionName: string): Promise<unknown>;
  /**
   * Stops every running execution, as StopExecution does in AWS (its result rejects with ExecutionAbortedError, no
   * further state starts), and every later `start`. Task invocations already in flight run to their end, as a
   * Lambda invocation does when its execution is stopped, and are awaited, so their writes land before a cleanup
   * reads. Executions started by another come first in the list, the ones that started them last.
   */
  abortAll(): Promise<AbortedExecution[]>;
  /**
   * Step Functions' SendTaskSuccess: the callback Task waiting on `token` succeeds with `output` (JSON text).
   *
   * @throws TaskTokenApiError InvalidToken, TaskDoesNotExist, TaskTimedOut (the task ended), InvalidOutput
   */
  sendTaskSuccess(token: string, output: string): void;
  /** SendTaskFailure: the task fails with `error` (default States.TaskFailed) and `cause`. @throws TaskTokenApiError */
  sendTaskFailure(token: string, error?: string, cause?: string): void;
  /** SendTaskHeartbeat: the task's HeartbeatSeconds start again. @throws TaskTokenApiError */
  sendTaskHeartbeat(token: string): void;
  /** The callback Tasks waiting now. */
  pendingTaskTokens(): PendingTaskToken[];
}

const executionArn = (kind: string, name: string): string => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${kind}:${name}`;
const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);
/** One turn of the event loop: every library event dispatched before it has been read (execution-record.ts). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

/** TimeoutSeconds/HeartbeatSeconds as the Task's Parameters resolved them: a positive whole number, or absent. */
function positiveSeconds(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw statesRuntime(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** Error raised to the parent when a child execution fails, as `startExecution.sync` does in AWS. */
class ChildExecutionFailed extends Error {
  override name = 'States.TaskFailed';
}

/**
 * Runs state machine definitions in-process with aws-local-stepfunctions, holding every execution to Step
 * Functions' quotas (payload size, history length, Map concurrency: docs/local-runner.md): Lambda tasks call the
 * given handlers, `startExecution.sync` runs the named machine as a child execution, a Distributed Map runs each
 * item as a child execution of its own, waits and retry intervals run on the virtual timer.
 *
 * @example
 * const runner = createLocalRunner({ tasks, speed: 100, now: sim.clock.now, onExecutionEnd: (e) => ends.push(e) });
 * const summary = await runner.runFleet({ clusters: [{ name: 'c1', region: 'us-east-1' }] }, 'run-1');
 */
export function createLocalRunner(options: LocalRunnerOptions): LocalRunner {
  const definitions = options.machines ?? deployedDefinitions();
  const machines = new Map<string, PreparedMachine>();
  for (const [name, definition] of Object.entries(definitions)) machines.set(name, prepareMachine(definition, name));
  const machineNamed = (name: string): PreparedMachine => {
    const machine = machines.get(name);
    if (!machine) throw new Error(`The local runner has no state machine named ${name} (it has ${[...machines.keys()].join(', ')})`);
    return machine;
  };
  const timer = options.timer ?? scaledTimer(options.speed);
  const observers: Observers = {
    ...(options.onTransition ? { onTransition: options.onTransition } : {}),
    ...(options.onExecutionEnd ? { onExecutionEnd: options.onExecutionEnd } : {}),
  };
  let mapRuns = 0;
  const tokens = new TaskTokens();
  // For abortAll: the executions still running (with their input), and the task invocations in flight.
  const running = new Map<string, { readonly record: ExecutionRecord; readonly input: unknown }>();
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

  /**
   * Before a task with effects starts: let the event log catch up (a state output over the quota, the history
   * limit) and start nothing in an execution that has been failed or stopped meanwhile. Tracked, so virtual time
   * does not jump during the turn.
   */
  const guard = async (record: ExecutionRecord): Promise<void> => {
    await timer.track(nextTurn);
    if (record.stopped) throw executionStopped();
  };

  /** The input a Task state hands its resource (after InputPath and Parameters) is a payload AWS sizes. */
  const checkTaskInput = (record: ExecutionRecord, stateName: string, input: unknown): void => {
    record.notePayload(payloadBytes(input), () => `The input of state '${stateName}'`);
    if (record.stopped) throw executionStopped();
  };

  /** Sleeps the Retry interval on the virtual timer before the library retries at once (retryOverrides = 0). */
  const withRetryDelay =
    (prepared: PreparedMachine, record: ExecutionRecord, stateName: string, attempts: Map<string, number[]>, work: LocalTask): LocalTask =>
    async (input) => {
      try {
        const output = await work(input);
        attempts.delete(stateName);
        return output;
      } catch (error) {
        if ((error as Partial<StatesError>).isRetryable !== false) {
          const counts = attempts.get(stateName) ?? [];
          attempts.set(stateName, counts);
          const delay = retryDelayMs(prepared.retriers.get(stateName) ?? [], counts, error);
          if (delay === undefined) attempts.delete(stateName);
          else await timer.sleep(delay, record.signal);
        }
        throw error;
      }
    };

  const lambdaTask = (record: ExecutionRecord, stateName: string, key: string): LocalTask => {
    const task = options.tasks[key];
    if (!task) throw new Error(`No local handler for function "${key}" (state ${stateName})`);
    return async (input) => {
      await guard(record);
      checkTaskInput(record, stateName, input);
      const call = timer.track(() => invoke(stateName, key, task, input));
      inFlight.add(call);
      void call.then(
        () => inFlight.delete(call),
        () => inFlight.delete(call),
      );
      const output = await call;
      const bytes = payloadBytes(output);
      if (bytes > PAYLOAD_LIMIT_BYTES) throw taskResultTooLarge(lambdaArn(key), bytes);
      return output;
    };
  };

  const virtualWait =
    (record: ExecutionRecord): LocalTask =>
    async (input) => {
      await timer.sleep(Number((input as { seconds?: number }).seconds ?? 0) * 1000, record.signal);
      return input;
    };

  // The state's resolved Parameters are StartExecution's request; the child runs with its `Input`.
  const childTask =
    (record: ExecutionRecord, stateName: string): LocalTask =>
    async (request) => {
      await guard(record);
      checkTaskInput(record, stateName, request);
      const { StateMachineArn, Input, Name } = request as { StateMachineArn?: unknown; Input?: unknown; Name?: unknown };
      const machineName = String(StateMachineArn).split(':').pop() ?? '';
      const name = typeof Name === 'string' ? Name : `c-${shortHash(JSON.stringify(Input)).slice(0, 24)}`;
      const child = new ExecutionRecord(machineName, name, executionArn(machineName, name), record);
      let output: unknown;
      try {
        output = await execute(machineNamed(machineName), child, Input);
      } catch (error) {
        if (record.stopped) throw executionStopped();
        const cause = (error as Error).cause as { name?: string; message?: string } | undefined;
        throw new ChildExecutionFailed(JSON.stringify({ Error: cause?.name ?? 'States.TaskFailed', Cause: cause?.message ?? String(error) }));
      } finally {
        record.release(child);
      }
      const result = { Status: 'SUCCEEDED', Output: output, ExecutionArn: child.arn };
      const bytes = payloadBytes(result);
      if (bytes > PAYLOAD_LIMIT_BYTES) throw taskResultTooLarge('states:startExecution.sync', bytes);
      return result;
    };

  /**
   * A callback Task (`lambda:invoke.waitForTaskToken`): issues a task token, invokes the function with the payload
   * (the token where the definition reads `$$.Task.Token`; the function's own result is not the task's), then waits
   * on the virtual timer for SendTaskSuccess/SendTaskFailure, TimeoutSeconds (States.Timeout) or HeartbeatSeconds
   * without a heartbeat (States.HeartbeatTimeout). Only the invocation is tracked: a task waiting for an answer
   * lets virtual time move, as the service's clock does.
   */
  const callbackTask =
    (record: ExecutionRecord, spec: CallbackSpec): LocalTask =>
    async (input) => {
      await guard(record);
      const task = options.tasks[spec.functionKey];
      if (!task) throw new Error(`No local handler for function "${spec.functionKey}" (state ${spec.stateName})`);
      const { payload, timing } = input as { payload: JsonValue; timing: { TimeoutSeconds?: unknown; HeartbeatSeconds?: unknown } };
      const timeoutSeconds = positiveSeconds(timing.TimeoutSeconds, 'TimeoutSeconds');
      const heartbeatSeconds = positiveSeconds(timing.HeartbeatSeconds, 'HeartbeatSeconds');
      const token = tokens.issue();
      const resolved = JSON.parse(JSON.stringify(payload).replaceAll(JSON.stringify(TASK_TOKEN_PLACEHOLDER), JSON.stringify(token))) as JsonValue;
      checkTaskInput(record, spec.stateName, resolved);
      let settle: (answer: TaskAnswer | 'timeout' | 'heartbeat' | 'stopped') => void = () => undefined;
      const outcome = new Promise<TaskAnswer | 'timeout' | 'heartbeat' | 'stopped'>((resolve) => {
        settle = resolve;
      });
      const sleeps = new AbortController();
      const onStop = (): void => settle('stopped');
      let heartbeat: AbortController | undefined;
      const startHeartbeat = (): void => {
        if (heartbeatSeconds === undefined) return;
        heartbeat?.abort();
        const beat = new AbortController();
        heartbeat = beat;
        void timer.sleep(heartbeatSeconds * 1000, AbortSignal.any([beat.signal, sleeps.signal, record.signal])).then(() => {
          if (!beat.signal.aborted && !sleeps.signal.aborted) settle(record.stopped ? 'stopped' : 'heartbeat');
        });
      };
      // Registered before the invocation: the function may hand the token to someone who answers at once.
      const pending: PendingTaskToken = { token, executionArn: record.arn, stateName: spec.stateName, payload: resolved };
      tokens.wait(pending, (answer) => settle(answer), startHeartbeat);
      try {
        const call = timer.track(() => invoke(spec.stateName, spec.functionKey, task, resolved));
        inFlight.add(call);
        void call.then(
          () => inFlight.delete(call),
          () => inFlight.delete(call),
        );
        await call;
        if (timeoutSeconds !== undefined)
          void timer.sleep(timeoutSeconds * 1000, AbortSignal.any([sleeps.signal, record.signal])).then(() => {
            if (!sleeps.signal.aborted) settle(record.stopped ? 'stopped' : 'timeout');
          });
        startHeartbeat();
        if (record.signal.aborted) settle('stopped');
        else record.signal.addEventListener('abort', onStop, { once: true });
        const observed = options.onTaskToken?.(pending);
        if (observed) void timer.track(() => observed).catch(() => undefined);
        const answer = await outcome;
        if (answer === 'stopped') throw executionStopped();
        if (answer === 'timeout') throw taskTimedOut('States.Timeout', timeoutSeconds ?? 0);
        if (answer === 'heartbeat') throw taskTimedOut('States.HeartbeatTimeout', heartbeatSeconds ?? 0);
        if (!answer.ok) throw new CallbackTaskFailure(answer.error, answer.cause);
        return answer.output;
      } finally {
        record.signal.removeEventListener('abort', onStop);
        sleeps.abort();
        heartbeat?.abort();
        tokens.close(token);
      }
    };

  /** An inline Map iteration: a library run of the ItemProcessor whose events go into the parent's history. */
  const startIteration = (record: ExecutionRecord, processor: PreparedMachine, input: JsonValue, context: JsonValue): StartedItem => {
    const run = processor.machine.run(input as RunInput, {
      overrides: { taskResourceLocalHandlers: handlersFor(processor, record), retryIntervalOverrides: processor.retryOverrides },
      context: context as never,
    });
    const remove = record.addRun(run.abort);
    const consumed = consumeEvents(run.eventLogs, record, processor, 'iteration', observers);
    const result = run.result.finally(async () => {
      remove();
      await consumed;
    }) as Promise<JsonValue>;
    return { result, abort: run.abort };
  };

  /** A Distributed Map's item: a child execution with its own history, named as the Map Run names it. */
  const startChild = (record: ExecutionRecord, spec: MapSpec, runNumber: number, input: JsonValue, index: number): StartedItem => {
    const kind = spec.processor.name;
    const name = shortHash(`${record.arn}|${spec.stateName}|${runNumber}|${index}`);
    const child = new ExecutionRecord(kind, name, executionArn(kind, name), record);
    const result = execute(spec.processor, child, input).finally(() => record.release(child)) as Promise<JsonValue>;
    return { result, abort: () => child.stop() };
  };

  const mapTask =
    (record: ExecutionRecord, spec: MapSpec): LocalTask =>
    async (request) => {
      if (record.stopped) throw executionStopped();
      const { input, context } = request as { input: JsonValue; context: JsonValue };
      const runNumber = (mapRuns += 1);
      return runMap({
        spec,
        input,
        context,
        stopped: () => record.stopped,
        noteIterationInput: (bytes, index) => record.notePayload(bytes, () => `The input of iteration ${index} of Map state '${spec.stateName}'`),
        start: (itemInput, index) => (spec.mode === 'DISTRIBUTED' ? startChild(record, spec, runNumber, itemInput, index) : startIteration(record, spec.processor, itemInput, context)),
      });
    };

  /** One library run's Task handlers (keyed by state name); `attempts` is that run's Retry count per state. */
  const handlersFor = (prepared: PreparedMachine, record: ExecutionRecord): RunHandlers => {
    const attempts = new Map<string, number[]>();
    const handlers: Record<string, LocalTask> = {};
    for (const [stateName, key] of prepared.lambdas) handlers[stateName] = withRetryDelay(prepared, record, stateName, attempts, lambdaTask(record, stateName, key));
    for (const stateName of prepared.waits) handlers[stateName] = virtualWait(record);
    // Not tracked: the child's own tasks are, and a parent waiting for its child must not hold virtual time still.
    for (const stateName of prepared.children) handlers[stateName] = withRetryDelay(prepared, record, stateName, attempts, childTask(record, stateName));
    for (const [stateName, spec] of prepared.callbacks) handlers[stateName] = withRetryDelay(prepared, record, stateName, attempts, callbackTask(record, spec));
    for (const [stateName, spec] of prepared.maps) handlers[stateName] = withRetryDelay(prepared, record, stateName, attempts, mapTask(record, spec));
    return handlers as RunHandlers;
  };

  const ended = (record: ExecutionRecord, status: ExecutionEndEvent['status'], error?: { name: string; message: string }): void => {
    options.onExecutionEnd?.({
      kind: record.kind,
      name: record.name,
      executionArn: record.arn,
      ...(record.parent ? { parentArn: record.parent.arn } : {}),
      status,
      historyEvents: record.events,
      maxStateBytes: record.maxStateBytes,
      ...(error ? { error } : {}),
    });
  };

  async function execute(prepared: PreparedMachine, record: ExecutionRecord, input: unknown): Promise<unknown> {
    running.set(record.arn, { record, input });
    try {
      return await executeRun(prepared, record, input);
    } finally {
      running.delete(record.arn);
    }
  }

  async function executeRun(prepared: PreparedMachine, record: ExecutionRecord, input: unknown): Promise<unknown> {
    if (record.stopped) {
      ended(record, 'ABORTED');
      throw new ExecutionAbortedError();
    }
    // StartExecution refuses an input over the quota: no execution, no history.
    const inputBytes = payloadBytes(input);
    if (inputBytes > PAYLOAD_LIMIT_BYTES) {
      const error = payloadTooLarge('The execution input', inputBytes);
      record.maxStateBytes = inputBytes;
      record.refuse(error);
      ended(record, 'FAILED', { name: error.name, message: error.message });
      throw new ExecutionError(error as never);
    }
    record.notePayload(inputBytes, () => 'The execution input');
    const run = prepared.machine.run(input as RunInput, {
      overrides: { taskResourceLocalHandlers: handlersFor(prepared, record), retryIntervalOverrides: prepared.retryOverrides },
      context: {
        Execution: { Id: record.arn, Name: record.name, StartTime: new Date(options.now()).toISOString(), Input: input as JsonValue, RoleArn: 'local' },
        StateMachine: { Id: stateMachineArn(prepared.name), Name: prepared.name },
      } as never,
    });
    const remove = record.addRun(run.abort);
    const consumed = consumeEvents(run.eventLogs, record, prepared, 'execution', observers);
    let output: unknown;
    let failure: unknown;
    try {
      output = await run.result;
    } catch (error) {
      failure = error;
    }
    remove();
    await consumed;
    if (record.failure) {
      ended(record, 'FAILED', { name: record.failure.name, message: record.failure.message });
      throw new ExecutionError(record.failure as never);
    }
    if (failure === undefined) {
      ended(record, 'SUCCEEDED');
      return output;
    }
    if (failure instanceof ExecutionAbortedError) ended(record, 'ABORTED');
    else if (failure instanceof ExecutionTimeoutError) ended(record, 'TIMED_OUT', { name: 'States.Timeout', message: failure.message });
    else {
      const cause = ((failure as Error).cause ?? failure) as { name?: string; message?: string };
      ended(record, 'FAILED', { name: cause.name ?? 'Error', message: cause.message ?? String(cause) });
    }
    throw failure;
  }

  const start = (machine: string, input: unknown, executionName: string): Promise<unknown> => {
    const record = new ExecutionRecord(machine, executionName, executionArn(machine, executionName), undefined);
    if (aborted) record.stop();
    return execute(machineNamed(machine), record, input);
  };
  return {
    start,
    runCluster: (input, executionName) => start(CLUSTER_MACHINE, input, executionName),
    runFleet: (input, executionName) => start(FLEET_MACHINE, input, executionName),
    sendTaskSuccess: (token, output) => tokens.succeed(token, output),
    sendTaskFailure: (token, error, cause) => tokens.fail(token, error, cause),
    sendTaskHeartbeat: (token) => tokens.heartbeat(token),
    pendingTaskTokens: () => tokens.pending(),
    async abortAll() {
      aborted = true;
      const stopped = [...running.values()];
      for (const { record } of stopped) record.stop();
      for (let round = 0; inFlight.size > 0 && round < 100; round += 1) await Promise.allSettled([...inFlight]);
      const depth = (record: ExecutionRecord): number => (record.parent ? 1 + depth(record.parent) : 0);
      return stopped
        .sort((a, b) => depth(b.record) - depth(a.record))
        .map(({ record, input }) => ({ executionArn: record.arn, stateMachineArn: stateMachineArn(record.kind), name: record.name, input }));
    },
  };
}
