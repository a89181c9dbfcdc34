import { HISTORY_LIMIT_EVENTS, PAYLOAD_LIMIT_BYTES } from './step-functions-quotas.js';

/**
 * An error Step Functions itself reports (`States.*`), raised by the local runner where the service would raise
 * it. `isRetryable`/`isCatchable` are the two properties aws-local-stepfunctions reads before it applies a
 * state's Retry or Catch, so a terminal error here ends the execution the way it does in AWS.
 */
export class StatesError extends Error {
  constructor(
    override readonly name: string,
    message: string,
    readonly isRetryable: boolean,
    readonly isCatchable: boolean,
  ) {
    super(message);
  }
}

/**
 * What the service answers when a Task's result (the Lambda's or the child execution's output) is over the
 * payload quota. Recorded AWS histories show it as the task's failure, which Catch and Retry see, `States.ALL`
 * included.
 */
export function taskResultTooLarge(resource: string, bytes: number): StatesError {
  return new StatesError(
    'States.DataLimitExceeded',
    `The state/task '${resource}' returned a result with a size exceeding the maximum number of bytes service limit (${bytes} > ${PAYLOAD_LIMIT_BYTES} bytes).`,
    true,
    true,
  );
}

/** A state's input (after Parameters) or output, or an execution's input, over the quota: the execution fails. */
export function payloadTooLarge(what: string, bytes: number): StatesError {
  return new StatesError(
    'States.DataLimitExceeded',
    `${what} has a size exceeding the maximum number of bytes service limit (${bytes} > ${PAYLOAD_LIMIT_BYTES} bytes).`,
    false,
    false,
  );
}

/** The execution's history reached its quota: the service fails it with this error and cause. */
export function historyLimitReached(): StatesError {
  return new StatesError('States.Runtime', `The execution reached the maximum number of history events (${HISTORY_LIMIT_EVENTS}).`, false, false);
}

/** A Map Run's failed child executions went over ToleratedFailureCount or ToleratedFailurePercentage. */
export function toleratedFailureExceeded(): StatesError {
  return new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded', true, true);
}

/** A value of the definition or the input that the service refuses at run time (a path to nothing, a bad number). */
export function statesRuntime(message: string): StatesError {
  return new StatesError('States.Runtime', message, false, false);
}

/**
 * A stopped execution's task that was about to start: it must not run, and nothing may retry or catch it. The
 * execution it belonged to already has its outcome.
 */
export function executionStopped(): StatesError {
  return new StatesError('States.Runtime', 'The execution was stopped before this task started.', false, false);
}

/**
 * A callback Task ran past its TimeoutSeconds (`States.Timeout`) or HeartbeatSeconds without a heartbeat
 * (`States.HeartbeatTimeout`): a task failure Retry and Catch see, as for any Task.
 */
export function taskTimedOut(kind: 'States.Timeout' | 'States.HeartbeatTimeout', seconds: number): StatesError {
  return new StatesError(kind, kind === 'States.Timeout' ? `The task did not end within its TimeoutSeconds (${seconds} s).` : `No heartbeat within HeartbeatSeconds (${seconds} s).`, true, true);
}

/** SendTaskFailure's error and cause, as the failed callback Task reports them to Retry and Catch. */
export class CallbackTaskFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
