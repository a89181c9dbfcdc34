import { randomBytes } from 'node:crypto';
import type { JsonValue } from '../../lib/json.js';
import { PAYLOAD_LIMIT_BYTES } from './step-functions-quotas.js';

/**
 * An error of Step Functions' SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat API, with the error code the API
 * answers (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html): the local
 * endpoint sends `code` as the error's `__type`, so the SDK raises the same exception class it raises in AWS.
 */
export class TaskTokenApiError extends Error {
  constructor(
    readonly code: 'InvalidToken' | 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidOutput' | 'ValidationException',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** A callback Task waiting for its token to be answered. */
export interface PendingTaskToken {
  readonly token: string;
  readonly executionArn: string;
  readonly stateName: string;
  /** The payload the Task invoked its function with (the token included). */
  readonly payload: JsonValue;
}

/** How a callback task ended: the output an operator sent, or the error (SendTaskFailure, a timeout). */
export type TaskAnswer = { readonly ok: true; readonly output: JsonValue } | { readonly ok: false; readonly error: string; readonly cause: string };

interface Waiting extends PendingTaskToken {
  readonly answer: (answer: TaskAnswer) => void;
  readonly heartbeat: () => void;
}

// SendTaskSuccess: "taskToken … Maximum length of 2048"; the ones Step Functions issues are long opaque strings.
const TOKEN_BYTES = 96;

/**
 * The task tokens of an emulated Step Functions: issued when a callback Task starts, answered by SendTaskSuccess,
 * SendTaskFailure (or kept alive by SendTaskHeartbeat), closed when the task ends. A token of a task that ended
 * (answered, timed out, its execution stopped) answers TaskTimedOut, as the service does; one never issued answers
 * InvalidToken.
 */
export class TaskTokens {
  private readonly waiting = new Map<string, Waiting>();
  private readonly closed = new Set<string>();

  /** A new, unguessable token. */
  issue(): string {
    return `local-${randomBytes(TOKEN_BYTES).toString('base64url')}`;
  }

  /** Registers a task waiting on `token`; `answer` settles it, `heartbeat` resets its heartbeat clock. */
  wait(task: PendingTaskToken, answer: (answer: TaskAnswer) => void, heartbeat: () => void): void {
    this.waiting.set(task.token, { ...task, answer, heartbeat });
  }

  /** The task ended (answered, timed out, stopped): its token is closed. */
  close(token: string): void {
    this.waiting.delete(token);
    this.closed.add(token);
  }

  /** Tasks waiting now, oldest first. */
  pending(): PendingTaskToken[] {
    return [...this.waiting.values()].map(({ token, executionArn, stateName, payload }) => ({ token, executionArn, stateName, payload }));
  }

  private take(token: unknown): Waiting {
    if (typeof token !== 'string' || token.length === 0 || token.length > 2048) throw new TaskTokenApiError('InvalidToken', 'Invalid token');
    const task = this.waiting.get(token);
    if (task) return task;
    if (this.closed.has(token)) throw new TaskTokenApiError('TaskTimedOut', 'Task Timed Out');
    throw new TaskTokenApiError(token.startsWith('local-') ? 'TaskDoesNotExist' : 'InvalidToken', token.startsWith('local-') ? 'Task does not exist anymore' : 'Invalid token');
  }

  /** SendTaskSuccess: `output` is the JSON text the task's result becomes. */
  succeed(token: unknown, output: unknown): void {
    const task = this.take(token);
    if (typeof output !== 'string' || Buffer.byteLength(output, 'utf8') > PAYLOAD_LIMIT_BYTES)
      throw new TaskTokenApiError('ValidationException', `1 validation error detected: Value at 'output' failed to satisfy constraint: Member must have length less than or equal to ${PAYLOAD_LIMIT_BYTES}`);
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(output) as JsonValue;
    } catch {
      throw new TaskTokenApiError('InvalidOutput', 'Invalid JSON output');
    }
    this.close(task.token);
    task.answer({ ok: true, output: parsed });
  }

  /** SendTaskFailure: the task fails with `error` (default States.TaskFailed) and `cause`, as Catch and Retry see them. */
  fail(token: unknown, error: unknown, cause: unknown): void {
    const task = this.take(token);
    this.close(task.token);
    task.answer({ ok: false, error: typeof error === 'string' && error !== '' ? error : 'States.TaskFailed', cause: typeof cause === 'string' ? cause : '' });
  }

  /** SendTaskHeartbeat: the task's HeartbeatSeconds start again. */
  heartbeat(token: unknown): void {
    this.take(token).heartbeat();
  }
}
