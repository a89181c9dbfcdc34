import './polyfills.js';
import { StateMachine } from 'aws-local-stepfunctions';
import { UnsupportedDefinitionError } from '../../lib/errors.js';
import type { AslDefinition, AslState } from './asl-definition.js';
import { forEachState, functionKeyOf } from './asl-definition.js';
import type { StateKind } from './history-model.js';
import { usesIntrinsicFunction } from './json-path.js';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
export const lambdaArn = (key: string): string => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${key}`;
export const stateMachineArn = (name: string): string => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync';
const LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
/**
 * What a callback Task's payload carries where the definition reads `$$.Task.Token`: the runner puts the token it
 * generated there before the Lambda is invoked (the library's context object has no task token).
 */
export const TASK_TOKEN_PLACEHOLDER = '\u0000cni-fleet-local-task-token\u0000';
const LOCAL_TASK = 'arn:aws:states:::cni-fleet-local:runner';
/**
 * Real seconds the library may wait on a state the runner took over (a Wait, a Map): it times every Task out
 * after 60 real seconds unless told otherwise, and a Map Run lasts as long as its children. Below setTimeout's
 * 2^31 ms ceiling, beyond which Node fires at once.
 */
const RUNNER_STATE_TIMEOUT_SECONDS = 2_000_000;

/** A Retry rule as the ASL writes it. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

export interface StateInfo {
  readonly kind: StateKind;
  /** The type the definition gives it (a Wait or Map the runner took over is reported as such). */
  readonly type: string;
}

/**
 * A callback Task (`lambda:invoke.waitForTaskToken`): the function it invokes with its payload, and how long it
 * waits for SendTaskSuccess/SendTaskFailure (`TimeoutSeconds[Path]`, `HeartbeatSeconds[Path]`, resolved by the
 * library into the Task's rewritten Parameters).
 */
export interface CallbackSpec {
  readonly stateName: string;
  readonly functionKey: string;
}

/** A Map state's fields, which the runner evaluates itself (rehearsal/runner/map-run.ts). */
export interface MapSpec {
  readonly stateName: string;
  readonly mode: 'INLINE' | 'DISTRIBUTED';
  /** The Map Run's label: `Label`, or the state's name. */
  readonly label: string;
  readonly itemsPath?: string;
  /** `ItemSelector`, or the older `Parameters` that means the same in a Map. */
  readonly itemSelector?: unknown;
  readonly maxConcurrency?: number;
  readonly maxConcurrencyPath?: string;
  readonly toleratedFailureCount?: number;
  readonly toleratedFailureCountPath?: string;
  readonly toleratedFailurePercentage?: number;
  readonly toleratedFailurePercentagePath?: string;
  readonly itemBatcher?: {
    readonly MaxItemsPerBatch?: number;
    readonly MaxItemsPerBatchPath?: string;
    readonly MaxInputBytesPerBatch?: number;
    readonly MaxInputBytesPerBatchPath?: string;
    readonly BatchInput?: unknown;
  };
  /** The ItemProcessor, prepared as a machine of its own: each iteration or child execution is one run of it. */
  readonly processor: PreparedMachine;
}

/** A definition made runnable by aws-local-stepfunctions, with what the runner needs to know about its states. */
export interface PreparedMachine {
  /** The state machine's name, or `Machine/MapState` for a Map's ItemProcessor. */
  readonly name: string;
  readonly machine: StateMachine;
  /** Every state this machine's runs report (nested Parallel branches included, Map processors not). */
  readonly states: ReadonlyMap<string, StateInfo>;
  /** Lambda Task state → function key. */
  readonly lambdas: ReadonlyMap<string, string>;
  readonly waits: ReadonlySet<string>;
  readonly children: ReadonlySet<string>;
  /** Callback Tasks (`.waitForTaskToken`) by state name. */
  readonly callbacks: ReadonlyMap<string, CallbackSpec>;
  readonly maps: ReadonlyMap<string, MapSpec>;
  readonly retriers: ReadonlyMap<string, readonly Retrier[]>;
  /** 0 ms for every retrier: the library retries at once, after the runner has slept the interval on its timer. */
  readonly retryOverrides: Record<string, number[]>;
}

const KIND_OF_TYPE: Record<string, StateKind> = { Pass: 'pass', Choice: 'choice', Succeed: 'succeed', Fail: 'fail', Parallel: 'parallel' };
const KEPT_BY_MAP_TASK = ['Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End'];

/**
 * Makes a deployable definition runnable here, after checking it as CreateStateMachine would: `Fn::GetAtt`/`Ref`
 * become local ARNs (the plugin resolves them at deploy time); Wait states become a virtual sleep on the
 * runner's timer; every Map becomes a Task the runner carries out itself (map-run.ts), which is how it holds
 * inline Maps to 40 iterations at once and runs a Distributed Map's items as child executions.
 *
 * @throws UnsupportedDefinitionError naming the state, for what the runner cannot rehearse faithfully
 */
export function prepareMachine(definition: AslDefinition, name: string): PreparedMachine {
  const resolved = structuredClone(definition);
  forEachState(resolved, (_stateName, state) => {
    const key = functionKeyOf(state);
    if (key && typeof state.Resource === 'object') state.Resource = lambdaArn(key);
    const params = state.Parameters as { StateMachineArn?: unknown; FunctionName?: unknown } | undefined;
    if (state.Type === 'Task' && params && typeof params.StateMachineArn === 'object' && params.StateMachineArn !== null) {
      params.StateMachineArn = stateMachineArn((params.StateMachineArn as { Ref?: string }).Ref ?? 'child');
    }
    // A service integration that invokes a function names it in its Parameters (lambda:invoke…).
    const functionRef = params?.FunctionName as { 'Fn::GetAtt'?: [string, string] } | undefined;
    if (state.Type === 'Task' && params && typeof functionRef === 'object' && functionRef?.['Fn::GetAtt']) params.FunctionName = lambdaArn(functionRef['Fn::GetAtt'][0]);
  });
  // Validated once, as CreateStateMachine does at deploy time: asl-validator per execution dominated the CPU
  // profile of a 1,000-cluster rehearsal (bench/).
  new StateMachine(resolved as never, { validationOptions: { checkArn: false, checkPaths: true } });
  return rewrite(resolved, name);
}

function rewrite(definition: { StartAt: string; States: Record<string, AslState> }, name: string): PreparedMachine {
  const states = new Map<string, StateInfo>();
  const lambdas = new Map<string, string>();
  const waits = new Set<string>();
  const children = new Set<string>();
  const callbacks = new Map<string, CallbackSpec>();
  const maps = new Map<string, MapSpec>();
  const retriers = new Map<string, Retrier[]>();
  const retryOverrides: Record<string, number[]> = {};
  const refuse = (state: string, problem: string): never => {
    throw new UnsupportedDefinitionError(name, state, problem);
  };

  const visit = (scope: Record<string, AslState>): void => {
    for (const [stateName, state] of Object.entries(scope)) {
      if (states.has(stateName)) refuse(stateName, 'the name is used twice; state names must be unique in a state machine');
      if (state.QueryLanguage === 'JSONata') refuse(stateName, 'QueryLanguage JSONata is not supported by the local runner; write JSONPath');
      const retry = state.Retry as Retrier[] | undefined;
      if (retry) {
        retriers.set(stateName, retry);
        retryOverrides[stateName] = retry.map(() => 0);
      }
      switch (state.Type) {
        case 'Task': {
          const key = functionKeyOf(state);
          const resource = String(state.Resource);
          if (key) {
            lambdas.set(stateName, key);
            states.set(stateName, { kind: 'lambda', type: 'Task' });
          } else if (resource.startsWith(START_EXECUTION_SYNC)) {
            children.add(stateName);
            states.set(stateName, { kind: 'startExecutionSync', type: 'Task' });
          } else if (resource === LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN) {
            callbacks.set(stateName, prepareCallback(stateName, state, refuse));
            states.set(stateName, { kind: 'callbackTask', type: 'Task' });
          } else
            refuse(stateName, `Resource ${resource} is neither a Lambda function, ${START_EXECUTION_SYNC}[:2] nor ${LAMBDA_INVOKE_WAIT_FOR_TASK_TOKEN}; the local runner runs only those`);
          break;
        }
        case 'Wait': {
          // Same input, same output, same transitions; the seconds are slept on the runner's virtual timer.
          const seconds = state.SecondsPath ? { 'seconds.$': state.SecondsPath } : { seconds: state.Seconds ?? 0 };
          for (const k of ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath']) delete state[k];
          Object.assign(state, { Type: 'Task', Resource: LOCAL_TASK, Parameters: seconds, ResultPath: null, TimeoutSeconds: RUNNER_STATE_TIMEOUT_SECONDS });
          waits.add(stateName);
          states.set(stateName, { kind: 'wait', type: 'Wait' });
          break;
        }
        case 'Map': {
          const spec = mapSpec(stateName, state, name, refuse);
          maps.set(stateName, spec);
          states.set(stateName, { kind: spec.mode === 'DISTRIBUTED' ? 'distributedMap' : 'inlineMap', type: 'Map' });
          // The Task keeps what the library applies around any state (paths, ResultSelector, Retry, Catch); its
          // input is the Map's effective input and the context object, from which map-run.ts takes the rest.
          const task: AslState = { Type: 'Task', Resource: LOCAL_TASK, Parameters: { 'input.$': '$', 'context.$': '$$' }, TimeoutSeconds: RUNNER_STATE_TIMEOUT_SECONDS };
          for (const k of KEPT_BY_MAP_TASK) if (k in state) task[k] = state[k];
          scope[stateName] = task;
          break;
        }
        case 'Parallel':
          states.set(stateName, { kind: 'parallel', type: 'Parallel' });
          for (const branch of state.Branches as { States: Record<string, AslState> }[]) visit(branch.States);
          break;
        default: {
          const kind = KIND_OF_TYPE[state.Type];
          if (!kind) refuse(stateName, `unknown state type ${state.Type}`);
          states.set(stateName, { kind: kind as StateKind, type: state.Type });
        }
      }
    }
  };
  visit(definition.States);
  const machine = new StateMachine({ StartAt: definition.StartAt, States: definition.States } as never, { validationOptions: { noValidate: true } });
  return { name, machine, states, lambdas, waits, children, callbacks, maps, retriers, retryOverrides };
}

/** Replaces every `"key.$": "$$.Task.Token"` of a payload template by the placeholder; counts them. */
function markTaskToken(template: unknown, found: { count: number }): unknown {
  if (Array.isArray(template)) return template.map((v) => markTaskToken(v, found));
  if (typeof template !== 'object' || template === null) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === '$$.Task.Token') {
      out[key.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
      found.count += 1;
    } else out[key] = markTaskToken(value, found);
  }
  return out;
}

/**
 * A `lambda:invoke.waitForTaskToken` Task made runnable: the library resolves its payload (the task token where the
 * definition reads `$$.Task.Token`) and its timeouts into the Parameters of a Task the runner carries out itself
 * (workflow-runner.ts): invoke the function, then wait for SendTaskSuccess/SendTaskFailure on the virtual timer.
 */
function prepareCallback(stateName: string, state: AslState, refuse: (state: string, problem: string) => never): CallbackSpec {
  const params = (state.Parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown; 'Payload.$'?: unknown };
  const functionKey = typeof params.FunctionName === 'string' ? /function:([^:]+)$/.exec(params.FunctionName)?.[1] : undefined;
  if (!functionKey) return refuse(stateName, 'a waitForTaskToken Task needs Parameters.FunctionName (a function ARN or Fn::GetAtt of one)');
  if (params.Payload === undefined) return refuse(stateName, 'a waitForTaskToken Task needs a Payload that passes $$.Task.Token (as "taskToken.$": "$$.Task.Token")');
  if (usesIntrinsicFunction(params.Payload)) refuse(stateName, 'intrinsic functions in a waitForTaskToken payload are not evaluated by the local runner; use paths');
  const found = { count: 0 };
  const payload = markTaskToken(params.Payload, found);
  if (found.count === 0) refuse(stateName, 'the Payload passes no "….$": "$$.Task.Token": nobody could answer the task');
  const timing: Record<string, unknown> = {};
  for (const field of ['TimeoutSeconds', 'HeartbeatSeconds'] as const) {
    const path = state[`${field}Path`];
    if (typeof path === 'string') timing[`${field}.$`] = path;
    else if (typeof state[field] === 'number') timing[field] = state[field];
    delete state[field];
    delete state[`${field}Path`];
  }
  Object.assign(state, { Resource: LOCAL_TASK, Parameters: { payload, timing }, TimeoutSeconds: RUNNER_STATE_TIMEOUT_SECONDS });
  return { stateName, functionKey };
}

function mapSpec(stateName: string, state: AslState, machineName: string, refuse: (state: string, problem: string) => never): MapSpec {
  const processor = (state.ItemProcessor ?? state.Iterator) as ({ StartAt: string; States: Record<string, AslState> } & { ProcessorConfig?: { Mode?: string; ExecutionType?: string } }) | undefined;
  if (!processor) return refuse(stateName, 'a Map needs an ItemProcessor');
  const mode = processor.ProcessorConfig?.Mode === 'DISTRIBUTED' ? 'DISTRIBUTED' : 'INLINE';
  if (mode === 'DISTRIBUTED') {
    if (processor.ProcessorConfig?.ExecutionType === 'EXPRESS') refuse(stateName, 'ExecutionType EXPRESS child executions are not emulated; use STANDARD');
    if (state.ItemReader) refuse(stateName, 'ItemReader (items from S3) is not emulated by the local runner; pass the items in the state input');
    if (state.ResultWriter) refuse(stateName, 'ResultWriter (results to S3) is not emulated by the local runner');
  }
  const itemSelector = state.ItemSelector ?? state.Parameters;
  const batcher = state.ItemBatcher as MapSpec['itemBatcher'];
  if (usesIntrinsicFunction(itemSelector) || usesIntrinsicFunction(batcher?.BatchInput)) {
    refuse(stateName, 'intrinsic functions in ItemSelector or BatchInput are not evaluated by the local runner; use paths');
  }
  const label = typeof state.Label === 'string' ? state.Label : stateName;
  const num = (k: string): number | undefined => (typeof state[k] === 'number' ? (state[k] as number) : undefined);
  const str = (k: string): string | undefined => (typeof state[k] === 'string' ? (state[k] as string) : undefined);
  const spec = {
    stateName,
    mode,
    label,
    itemsPath: str('ItemsPath'),
    itemSelector,
    maxConcurrency: num('MaxConcurrency'),
    maxConcurrencyPath: str('MaxConcurrencyPath'),
    toleratedFailureCount: num('ToleratedFailureCount'),
    toleratedFailureCountPath: str('ToleratedFailureCountPath'),
    toleratedFailurePercentage: num('ToleratedFailurePercentage'),
    toleratedFailurePercentagePath: str('ToleratedFailurePercentagePath'),
    itemBatcher: batcher,
    processor: rewrite({ StartAt: processor.StartAt, States: processor.States }, `${machineName}/${label}`),
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as unknown as MapSpec;
}
