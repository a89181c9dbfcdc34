/**
 * How many events each step of an execution adds to its Step Functions history, so the runner can hold an
 * execution to the 25,000-event quota without keeping the events. The table is AWS's event model as recorded
 * histories show it; docs/local-runner.md lists every row with an example.
 */

/** What a state is, as far as its history is concerned. */
export type StateKind =
  | 'lambda' // a Task calling a Lambda function by ARN
  | 'startExecutionSync' // a Task `arn:aws:states:::states:startExecution.sync[:2]`
  | 'callbackTask' // a Task `arn:aws:states:::lambda:invoke.waitForTaskToken`
  | 'inlineMap'
  | 'distributedMap'
  | 'parallel'
  | 'wait'
  | 'pass'
  | 'choice'
  | 'succeed'
  | 'fail';

/**
 * The steps of a state the runner observes (aws-local-stepfunctions' event log): `failed` is every failed
 * attempt, `retried` the next attempt starting, `caught` the state leaving through a Catch (instead of `exited`).
 */
export type StateStep = 'entered' | 'exited' | 'failed' | 'retried' | 'caught';

type Row = Readonly<Record<StateStep, number>>;

/**
 * Events per step. The Map and Parallel rows book their `…StateFailed` event at `failed` and take it back at
 * `retried`, because AWS writes it only when the failure is final: that keeps the count right whether the failure
 * is then retried, caught or ends the execution.
 */
const ROWS: Readonly<Record<StateKind, Row>> = {
  // TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted | LambdaFunctionSucceeded, TaskStateExited |
  // LambdaFunctionFailed (or …TimedOut) | a retry: LambdaFunctionScheduled, LambdaFunctionStarted | TaskStateExited
  lambda: { entered: 3, exited: 2, failed: 1, retried: 2, caught: 1 },
  // TaskStateEntered, TaskScheduled, TaskStarted | TaskSubmitted, TaskSucceeded, TaskStateExited |
  // TaskSubmitted, TaskFailed | TaskScheduled, TaskStarted | TaskStateExited
  startExecutionSync: { entered: 3, exited: 3, failed: 2, retried: 2, caught: 1 },
  // TaskStateEntered, TaskScheduled, TaskStarted | TaskSubmitted, TaskSucceeded, TaskStateExited |
  // TaskSubmitted, TaskFailed (or TaskTimedOut) | TaskScheduled, TaskStarted | TaskStateExited: the same service
  // integration events as startExecution.sync (the invoke is submitted, then the callback ends the task).
  callbackTask: { entered: 3, exited: 3, failed: 2, retried: 2, caught: 1 },
  // MapStateEntered, MapStateStarted | MapStateSucceeded, MapStateExited | (MapStateFailed) |
  // MapStateStarted − (MapStateFailed) | MapStateExited. Iterations add their own events (iterationEvents).
  inlineMap: { entered: 2, exited: 2, failed: 1, retried: 0, caught: 1 },
  // MapStateEntered, MapStateStarted, MapRunStarted | MapRunSucceeded, MapStateSucceeded, MapStateExited |
  // MapRunFailed, (MapStateFailed) | MapStateStarted, MapRunStarted − (MapStateFailed) | MapStateExited.
  // The child executions have histories of their own.
  distributedMap: { entered: 3, exited: 3, failed: 2, retried: 1, caught: 1 },
  // ParallelStateEntered, ParallelStateStarted | ParallelStateExited | (ParallelStateFailed) |
  // ParallelStateStarted − (ParallelStateFailed) | ParallelStateExited. Branch states add their own events.
  parallel: { entered: 2, exited: 1, failed: 1, retried: 0, caught: 1 },
  wait: { entered: 1, exited: 1, failed: 0, retried: 0, caught: 0 },
  pass: { entered: 1, exited: 1, failed: 0, retried: 0, caught: 0 },
  choice: { entered: 1, exited: 1, failed: 0, retried: 0, caught: 0 },
  succeed: { entered: 1, exited: 1, failed: 0, retried: 0, caught: 0 },
  // FailStateEntered, then ExecutionFailed (or MapIterationFailed): no exit.
  fail: { entered: 1, exited: 0, failed: 0, retried: 0, caught: 0 },
};

/** Events one step of a state adds to the history of the execution it runs in. */
export function stateEvents(kind: StateKind, step: StateStep): number {
  return ROWS[kind][step];
}

/** ExecutionStarted, and the closing ExecutionSucceeded/Failed/Aborted/TimedOut: one event each. */
export const EXECUTION_EVENTS = { started: 1, ended: 1 } as const;

/** MapIterationStarted, and MapIterationSucceeded/Failed/Aborted: an inline Map iteration in its parent's history. */
export const ITERATION_EVENTS = { started: 1, ended: 1 } as const;
