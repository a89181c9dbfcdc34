import type { StateMachine } from 'aws-local-stepfunctions';
import { EXECUTION_EVENTS, ITERATION_EVENTS, stateEvents } from './history-model.js';
import type { StateStep } from './history-model.js';
import type { PreparedMachine } from './prepare-definition.js';
import type { StatesError } from './states-errors.js';
import { historyLimitReached, payloadTooLarge } from './states-errors.js';
import { HISTORY_LIMIT_EVENTS, PAYLOAD_LIMIT_BYTES, payloadBytes } from './step-functions-quotas.js';

/** One event of aws-local-stepfunctions' event log. */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/**
 * One state entered, or one retry of a state: what Step Functions Standard bills as a state transition
 * (retries count as transitions).
 */
export interface TransitionEvent {
  /** The execution's kind (ExecutionEndEvent.kind). */
  readonly machine: string;
  readonly stateName: string;
  readonly stateType: string;
  readonly kind: 'entered' | 'retried';
}

/** How an execution ended, with the quotas it was held to: for the benchmark's limits and for tests. */
export interface ExecutionEndEvent {
  /**
   * Where the execution comes from: the state machine's name (`UpgradeFleetStateMachine`, a child started by
   * startExecution.sync), or `Machine/MapLabel` for a Distributed Map's child executions.
   */
  readonly kind: string;
  readonly name: string;
  readonly executionArn: string;
  /** The execution that started it (startExecution.sync or a Distributed Map), if any. */
  readonly parentArn?: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** Events in its history by AWS's event model (rehearsal/runner/history-model.ts); 0 when it never started. */
  readonly historyEvents: number;
  /** Largest payload it passed (execution input, a state's output, a task's input): bytes of UTF-8 JSON. */
  readonly maxStateBytes: number;
  readonly error?: { readonly name: string; readonly message: string };
}

export interface Observers {
  readonly onTransition?: (event: TransitionEvent) => void;
  readonly onExecutionEnd?: (event: ExecutionEndEvent) => void;
}

/**
 * One execution as the service would keep it: its history's length, its largest payload, and whether the runner
 * has failed it for a quota or stopped it. Inline Map iterations are separate library runs that count here, in
 * their parent's history, as they do in AWS.
 */
export class ExecutionRecord {
  events = 0;
  maxStateBytes = 0;
  /** The quota the runner failed this execution for; it ends FAILED with this error whatever the library says. */
  failure: StatesError | undefined;
  /** Failed by the runner or aborted: nothing more of it may start. */
  stopped = false;
  private readonly aborts = new Set<() => void>();
  private readonly controller = new AbortController();
  /** Aborts when the execution stops: its Waits and Retry intervals end at once. */
  readonly signal = this.controller.signal;
  private readonly children = new Set<ExecutionRecord>();

  constructor(
    readonly kind: string,
    readonly name: string,
    readonly arn: string,
    readonly parent: ExecutionRecord | undefined,
  ) {
    parent?.children.add(this);
    // Started by an execution that has already stopped: it never runs.
    if (parent?.stopped) this.stop();
  }

  /** Refuses the execution before it starts (StartExecution's own check): no history, FAILED with `error`. */
  refuse(error: StatesError): void {
    this.failure = error;
    this.events = 0;
    this.stop();
  }

  /** Registers a library run of this execution (the execution itself, or an inline Map iteration) to abort on stop. */
  addRun(abort: () => void): () => void {
    this.aborts.add(abort);
    return () => this.aborts.delete(abort);
  }

  /** Fails the execution for a quota: ExecutionFailed is its last event, and everything still running is stopped. */
  fail(error: StatesError): void {
    if (this.failure) return;
    this.failure = error;
    this.events = Math.min(this.events, HISTORY_LIMIT_EVENTS - 1) + EXECUTION_EVENTS.ended;
    this.stop();
  }

  /** Aborts the execution and, as StopExecution does for .sync and Map Run children, those it started. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.controller.abort();
    for (const abort of this.aborts) abort();
    for (const child of this.children) child.stop();
  }

  /** The child has ended; it is no longer stopped with this one. */
  release(child: ExecutionRecord): void {
    this.children.delete(child);
  }

  /** Notes a payload's size (bytes) and fails the execution if it is over the quota. */
  notePayload(bytes: number, what: () => string): void {
    if (bytes > this.maxStateBytes) this.maxStateBytes = bytes;
    if (bytes > PAYLOAD_LIMIT_BYTES) this.fail(payloadTooLarge(what(), bytes));
  }

  /** Adds history events; an execution whose 25,000th event is not its ExecutionSucceeded fails (States.Runtime). */
  addEvents(n: number, closing = false): void {
    if (this.failure || n === 0) return;
    this.events += n;
    if (!closing && this.events >= HISTORY_LIMIT_EVENTS) this.fail(historyLimitReached());
  }
}

/**
 * Reads one library run's event log into its execution's record, synchronously with the run as far as the
 * library allows (every event is handled before the next macrotask: see `guard` in workflow-runner.ts).
 * `scope` is `iteration` for an inline Map iteration, whose start and end are MapIteration events of the parent.
 */
export async function consumeEvents(events: AsyncIterable<LibraryEvent>, record: ExecutionRecord, prepared: PreparedMachine, scope: 'execution' | 'iteration', observers: Observers): Promise<void> {
  const ended = scope === 'execution' ? EXECUTION_EVENTS.ended : ITERATION_EVENTS.ended;
  // The library reports a caught state as failed, caught, then exited; AWS writes only the exit of the catch.
  const caught = new Set<string>();
  for await (const event of events) {
    if (record.failure) continue;
    switch (event.type) {
      case 'ExecutionStarted':
        record.addEvents(scope === 'execution' ? EXECUTION_EVENTS.started : ITERATION_EVENTS.started);
        break;
      case 'ExecutionSucceeded':
        record.addEvents(ended, scope === 'execution');
        break;
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        record.addEvents(ended, scope === 'execution');
        break;
      case 'StateCaught':
        caught.add(event.state.name);
        break;
      case 'StateEntered':
      case 'StateExited':
      case 'StateFailed':
      case 'StateRetried': {
        const name = event.state.name;
        const info = prepared.states.get(name);
        if (!info) break;
        let step = STEP[event.type];
        if (step === 'exited') {
          record.notePayload(payloadBytes(event.state.output), () => `The output of state '${name}'`);
          if (record.failure) break;
          if (caught.delete(name)) step = 'caught';
        }
        record.addEvents(stateEvents(info.kind, step));
        if (step === 'entered' || step === 'retried') observers.onTransition?.({ machine: record.kind, stateName: name, stateType: info.type, kind: step });
        break;
      }
      default:
      // Parallel branches add no events of their own; Map iterations are this runner's (scope).
    }
  }
}

const STEP: Record<'StateEntered' | 'StateExited' | 'StateFailed' | 'StateRetried', StateStep> = {
  StateEntered: 'entered',
  StateExited: 'exited',
  StateFailed: 'failed',
  StateRetried: 'retried',
};
