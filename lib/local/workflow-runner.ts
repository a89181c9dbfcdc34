import './polyfills.js';
import { createHash } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition, AslState } from './asl-definition.js';
import { forEachState, functionKeyOf, loadDefinition } from './asl-definition.js';

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
}

export interface LocalRunnerOptions {
  /** Handlers by the function key the ASL names in `Fn::GetAtt` (e.g. `applyHop`). */
  readonly tasks: Readonly<Record<string, LocalTask>>;
  /** Virtual seconds per real second: Wait states and Retry intervals are scaled by it (the simulator's clock). */
  readonly speed: number;
  /** Virtual time, epoch ms. */
  readonly now: () => number;
  readonly onTask?: (event: TaskEvent) => void;
}

const LOCAL_ACCOUNT = '000000000000';
const lambdaArn = (key: string): string => `arn:aws:lambda:us-east-1:${LOCAL_ACCOUNT}:function:cni-fleet-local-${key}`;
const stateMachineArn = (name: string): string => `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:stateMachine:${name}`;
const VIRTUAL_WAIT = 'virtualWait';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Error raised to the parent when a child execution fails, as `startExecution.sync` does in AWS. */
class ChildExecutionFailed extends Error {
  override name = 'States.TaskFailed';
}

interface Prepared {
  readonly definition: AslDefinition;
  /** state name → function key, for taskResourceLocalHandlers (keyed by state name, Map states included). */
  readonly taskStates: Map<string, string>;
  readonly childStates: Set<string>;
  readonly retryOverrides: Record<string, number[]>;
}

/**
 * Makes a deployable definition runnable here without changing what it does: `Fn::GetAtt`/`Ref` become local
 * ARNs (the plugin resolves them at deploy time), Wait states become a virtual sleep on the simulator's clock
 * (same input, same output, same transitions), and Retry intervals are scaled the same way.
 */
function prepare(definition: AslDefinition, speed: number): Prepared {
  const copy = structuredClone(definition);
  const taskStates = new Map<string, string>();
  const childStates = new Set<string>();
  const retryOverrides: Record<string, number[]> = {};
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
    const retry = state.Retry as { IntervalSeconds?: number; BackoffRate?: number }[] | undefined;
    if (retry) retryOverrides[name] = retry.map((r) => ((r.IntervalSeconds ?? 1) * 1000) / speed);
  });
  return { definition: copy, taskStates, childStates, retryOverrides };
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
  const cluster = prepare(loadDefinition('upgrade-cluster'), options.speed);
  const fleet = prepare(loadDefinition('upgrade-fleet'), options.speed);

  const wrap = (stateName: string, key: string): LocalTask => {
    if (key === VIRTUAL_WAIT)
      return async (input) => {
        await sleep((Number((input as { seconds?: number }).seconds ?? 0) * 1000) / options.speed);
        return input;
      };
    const task = options.tasks[key];
    if (!task) throw new Error(`No local handler for function "${key}" (state ${stateName})`);
    return async (input) => {
      const startedAt = options.now();
      try {
        const output = await task(input);
        options.onTask?.({ stateName, functionKey: key, input, output, startedAt, endedAt: options.now() });
        return output;
      } catch (error) {
        options.onTask?.({ stateName, functionKey: key, input, error: error as Error, startedAt, endedAt: options.now() });
        throw error;
      }
    };
  };

  const execute = async (prepared: Prepared, machineName: string, input: unknown, executionName: string): Promise<unknown> => {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, key] of prepared.taskStates) handlers[stateName] = wrap(stateName, key) as (input: Json) => Promise<Json>;
    for (const stateName of prepared.childStates) handlers[stateName] = (async (childInput: unknown) => runChild(childInput)) as (input: Json) => Promise<Json>;
    const machine = new StateMachine(prepared.definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
    const executionArn = `arn:aws:states:us-east-1:${LOCAL_ACCOUNT}:execution:${machineName}:${executionName}`;
    const execution = machine.run(input as Json, {
      overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: prepared.retryOverrides },
      context: {
        Execution: { Id: executionArn, Name: executionName, StartTime: new Date(options.now()).toISOString(), Input: input as Json, RoleArn: 'local' },
        StateMachine: { Id: stateMachineArn(machineName), Name: machineName },
      } as never,
    });
    return execution.result;
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
    /** Runs the cluster workflow; rejects with the library's ExecutionError (its `cause` carries the typed error). */
    runCluster: (input: unknown, executionName: string) => execute(cluster, 'UpgradeClusterStateMachine', input, executionName),
    runFleet: (input: unknown, executionName: string) => execute(fleet, 'UpgradeFleetStateMachine', input, executionName),
  };
}
