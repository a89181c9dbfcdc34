import { describe, expect, it } from 'vitest';
import { distributedLanes, lambda, syntheticRunner } from './synthetic-runner.js';

// Each case is a state machine whose history AWS recorded (GetExecutionHistory), with the number of events that
// history has: the runner must count the same without keeping the events (docs/local-runner.md, "History").
const pass = (next?: string) => (next ? { Type: 'Pass', Next: next } : { Type: 'Pass', End: true });
/**
 * StartState (a Pass whose result is one item), then MapState: an inline Map whose one iteration fails (`fail`), with
 * what `handling` adds to the Map state (its Retry or its Catch) and the states `after` it.
 */
const failingInlineMap = (fail: Record<string, unknown>, handling: Record<string, unknown>, after: Record<string, unknown> = {}) => ({
  M: {
    StartAt: 'StartState',
    States: {
      StartState: { Type: 'Pass', Result: ['one'], Next: 'MapState' },
      MapState: { Type: 'Map', ItemProcessor: { StartAt: 'HandleItemFail', States: { HandleItemFail: { Type: 'Fail', Error: 'HandleItemFailError', ...fail } } }, ...handling, End: true },
      ...after,
    },
  },
});
const failing = () => {
  const error = new Error('boom');
  error.name = 'Exception';
  return Promise.reject(error);
};

const cases: { name: string; machines: Record<string, unknown>; input?: unknown; events: number; status: 'SUCCEEDED' | 'FAILED' }[] = [
  {
    // ExecutionStarted | Pass×2 | MapStateEntered MapStateStarted | 8 × (MapIterationStarted Pass×2 MapIterationSucceeded) | MapStateSucceeded MapStateExited | Pass×2 | ExecutionSucceeded
    name: 'an inline Map of 8 Pass iterations',
    machines: {
      M: {
        StartAt: 'StartState',
        States: {
          StartState: { Type: 'Pass', Result: [1, 2, 3, 4, 5, 6, 7, 8], Next: 'MapState' },
          MapState: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'HandleItem', States: { HandleItem: pass() } }, Next: 'Final' },
          Final: pass(),
        },
      },
    },
    events: 42,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | TaskStateEntered | 4 × (LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionFailed) | TaskStateExited | Pass×2 | ExecutionSucceeded
    name: 'a Lambda task retried three times, then caught',
    machines: {
      M: {
        StartAt: 'InvokeLambdaWithRetry',
        States: {
          InvokeLambdaWithRetry: lambda('fails', { Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3 }], Catch: [{ ErrorEquals: ['States.ALL'], Next: 'HandleError' }], End: true }),
          HandleError: pass(),
        },
      },
    },
    events: 18,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | Pass×2 | ParallelStateEntered ParallelStateStarted | 6 × Pass×2 | ParallelStateExited | ExecutionSucceeded
    name: 'a Parallel state of three branches with one, two and three Pass states',
    machines: {
      M: {
        StartAt: 'LoadInput',
        States: {
          LoadInput: pass('ParallelState'),
          ParallelState: {
            Type: 'Parallel',
            End: true,
            Branches: [
              { StartAt: 'Branch1', States: { Branch1: pass() } },
              { StartAt: 'Branch21', States: { Branch21: pass('Branch22'), Branch22: pass() } },
              { StartAt: 'Branch31', States: { Branch31: pass('Branch32'), Branch32: pass('Branch33'), Branch33: pass() } },
            ],
          },
        },
      },
    },
    events: 19,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | MapStateEntered MapStateStarted MapRunStarted | MapRunSucceeded MapStateSucceeded MapStateExited | Succeed×2 | ExecutionSucceeded
    name: 'a Distributed Map (the children have histories of their own)',
    machines: {
      M: {
        StartAt: 'MapState',
        States: {
          MapState: {
            Type: 'Map',
            ItemsPath: '$.items',
            ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'IteratorInner', States: { IteratorInner: pass() } },
            Next: 'Finish',
          },
          Finish: { Type: 'Succeed' },
        },
      },
    },
    input: { items: [1, 2, 3, 4, 5] },
    events: 10,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskSucceeded TaskStateExited | ExecutionSucceeded
    name: 'a startExecution.sync:2 task',
    machines: {
      M: { StartAt: 'StartExecution', States: { StartExecution: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: { Ref: 'Child' }, 'Input.$': '$' }, End: true } } },
      Child: { StartAt: 'Only', States: { Only: pass() } },
    },
    events: 8,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | TaskStateEntered TaskScheduled TaskStarted TaskSubmitted TaskFailed | ExecutionFailed
    name: 'a startExecution.sync task whose child fails',
    machines: {
      M: { StartAt: 'StartExecution', States: { StartExecution: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: { Ref: 'Child' }, 'Input.$': '$' }, End: true } } },
      Child: { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Boom', Cause: 'on purpose' } } },
    },
    events: 7,
    status: 'FAILED',
  },
  {
    // ExecutionStarted | Pass×2 | MapStateEntered MapStateStarted | 3 × (MapIterationStarted FailStateEntered MapIterationFailed [MapStateStarted]) | MapStateFailed | ExecutionFailed
    name: 'an inline Map retried twice, its iteration failing each time',
    machines: failingInlineMap({ Cause: 'on purpose' }, { Retry: [{ ErrorEquals: ['HandleItemFailError'], IntervalSeconds: 1, MaxAttempts: 2 }] }),
    events: 18,
    status: 'FAILED',
  },
  {
    // ExecutionStarted | Pass×2 | MapStateEntered MapStateStarted | MapIterationStarted FailStateEntered MapIterationFailed | MapStateFailed MapStateExited | Pass×2 | ExecutionSucceeded
    name: 'an inline Map whose failure is caught',
    machines: failingInlineMap({}, { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'FinalCaught' }] }, { FinalCaught: pass() }),
    events: 13,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | WaitStateEntered WaitStateExited | ExecutionSucceeded
    name: 'a Wait state',
    machines: { M: { StartAt: 'WaitUntil', States: { WaitUntil: { Type: 'Wait', Seconds: 30, End: true } } } },
    events: 4,
    status: 'SUCCEEDED',
  },
  {
    // ExecutionStarted | ChoiceStateEntered ChoiceStateExited | Pass×2 | ExecutionSucceeded
    name: 'a Choice state',
    machines: { M: { StartAt: 'CheckResult', States: { CheckResult: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'FinishTrue' }], Default: 'FinishFalse' }, FinishTrue: pass(), FinishFalse: pass() } } },
    input: { done: true },
    events: 6,
    status: 'SUCCEEDED',
  },
];

describe('history events, counted with AWS event model', () => {
  it.each(cases)('$name: $events events', async ({ machines, input, events, status }) => {
    // Prepare
    const rig = syntheticRunner(machines, { fails: failing });
    // Act
    await rig.run('M', input ?? {});
    // Assess
    expect(rig.endOf('M')).toMatchObject({ status, historyEvents: events });
  });

  it('gives each Distributed Map child its own history and keeps them out of the parent', async () => {
    // Prepare
    const rig = syntheticRunner({ M: distributedLanes(lambda('work', { End: true })) }, { work: async () => ({ ok: true }) });
    // Act
    await rig.run('M', { items: [1, 2, 3] });
    // Assess: ExecutionStarted | TaskStateEntered LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionSucceeded TaskStateExited | ExecutionSucceeded
    const children = rig.ends.filter((e) => e.kind === 'M/Lanes');
    expect(children.map((c) => c.historyEvents)).toEqual([7, 7, 7]);
    expect(rig.endOf('M').historyEvents).toBe(8);
  });
});
