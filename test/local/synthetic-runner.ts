import type { AslDefinition } from '../../rehearsal/runner/asl-definition.js';
import { eventTimer } from '../../rehearsal/runner/virtual-timer.js';
import type { ExecutionEndEvent, LocalRunnerOptions, LocalTask, TaskEvent, TransitionEvent } from '../../rehearsal/runner/workflow-runner.js';
import { createLocalRunner } from '../../rehearsal/runner/workflow-runner.js';
import { createVirtualClock } from '../../sim/clock.js';

/** How one execution ended, as a test reads it. */
export interface RunOutcome {
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * The local runner over small definitions written in a test, with discrete-event virtual time (a Wait costs no
 * real time) and every observer recorded. The tasks are the test's own functions standing in for Lambda code.
 *
 * @example
 * const rig = syntheticRunner({ Loop: { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } } });
 * const outcome = await rig.run('Loop', {});
 * expect(rig.endOf('Loop').historyEvents).toBe(4);
 */
export function syntheticRunner(machines: Record<string, unknown>, tasks: Record<string, LocalTask> = {}, onTaskToken?: LocalRunnerOptions['onTaskToken']) {
  const clock = createVirtualClock({ start: Date.UTC(2026, 11, 1), realNow: () => 0, speed: 1 });
  const ends: ExecutionEndEvent[] = [];
  const transitions: TransitionEvent[] = [];
  const taskEvents: TaskEvent[] = [];
  const runner = createLocalRunner({
    tasks,
    speed: 1,
    timer: eventTimer(clock),
    now: () => clock.now(),
    machines: machines as Record<string, AslDefinition>,
    onExecutionEnd: (e) => ends.push(e),
    onTransition: (t) => transitions.push(t),
    onTask: (e) => taskEvents.push(e),
    ...(onTaskToken ? { onTaskToken } : {}),
  });
  return {
    runner,
    clock,
    ends,
    transitions,
    taskEvents,
    /** Runs `machine` as execution `name`; never rejects. */
    async run(machine: string, input: unknown, name = 'exec-1'): Promise<RunOutcome> {
      try {
        return { output: await runner.start(machine, input, name) };
      } catch (error) {
        const cause = ((error as Error).cause ?? error) as Error;
        return { error: { name: cause.name, message: cause.message } };
      }
    },
    /** The end of the (only) execution of this kind, or of the named one. */
    endOf(kind: string, name?: string): ExecutionEndEvent {
      const found = ends.filter((e) => e.kind === kind && (name === undefined || e.name === name));
      if (found.length !== 1) throw new Error(`expected one ${kind} execution${name ? ` named ${name}` : ''}, found ${found.length}`);
      return found[0] as ExecutionEndEvent;
    },
  };
}

/** A Lambda Task state over the test task `key`. */
export const lambda = (key: string, rest: Record<string, unknown> = {}): Record<string, unknown> => ({ Type: 'Task', Resource: { 'Fn::GetAtt': [key, 'Arn'] }, ...rest });

/**
 * A machine whose one state, `Lanes`, is a Distributed Map over `$.items` running `work` (the child's one state,
 * `Work`) in a STANDARD child execution per item; `map` adds to the Map state (ItemSelector, tolerated failures, …).
 */
export const distributedLanes = (work: Record<string, unknown>, map: Record<string, unknown> = {}): Record<string, unknown> => ({
  StartAt: 'Lanes',
  States: {
    Lanes: { Type: 'Map', ItemsPath: '$.items', ...map, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Work', States: { Work: work } }, End: true },
  },
});

/** A string of `bytes` ASCII characters. */
export const filler = (bytes: number): string => 'x'.repeat(bytes);
