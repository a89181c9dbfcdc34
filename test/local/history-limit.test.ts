import { describe, expect, it } from 'vitest';
import { lambda, syntheticRunner } from './synthetic-runner.js';

// 25,000 events per execution history: the 25,000th may only be ExecutionSucceeded; any other fails the
// execution with States.Runtime, "The execution reached the maximum number of history events (25000)."

/**
 * ExecutionStarted, Init (2), `loops` × (Tick 2 + Check 2), Almost (2), Done (2), ExecutionSucceeded:
 * 4 × loops + 8 events.
 */
const passLoop = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { n: 0 }, Next: 'Tick' },
    Tick: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)', 'loops.$': '$$.Execution.Input.loops' }, Next: 'Check' },
    Check: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThanPath: '$.loops', Next: 'Tick' }], Default: 'Almost' },
    Almost: { Type: 'Pass', Next: 'Done' },
    Done: { Type: 'Pass', End: true },
  },
};

describe('history quota (25,000 events)', () => {
  it('lets an execution end with ExecutionSucceeded as its 25,000th event', async () => {
    // Prepare
    const rig = syntheticRunner({ Loop: passLoop });
    // Act: 4 × 6,248 + 8 = 25,000
    const outcome = await rig.run('Loop', { loops: 6_248 });
    // Assess
    expect(outcome.error).toBeUndefined();
    expect(rig.endOf('Loop')).toMatchObject({ status: 'SUCCEEDED', historyEvents: 25_000 });
  });

  it('fails an execution whose 25,000th event would be anything else, with States.Runtime', async () => {
    // Prepare
    const rig = syntheticRunner({ Loop: passLoop });
    // Act: 4 × 6,249 + 8 = 25,004
    const outcome = await rig.run('Loop', { loops: 6_249 });
    // Assess
    expect(outcome.error).toEqual({ name: 'States.Runtime', message: 'The execution reached the maximum number of history events (25000).' });
    expect(rig.endOf('Loop')).toMatchObject({ status: 'FAILED', historyEvents: 25_000, error: { name: 'States.Runtime' } });
  });

  it('runs no task of an execution after it has reached the limit', async () => {
    // Prepare: a Lambda loop, 7 events a round (TaskStateEntered … TaskStateExited, Choice×2).
    let calls = 0;
    const rig = syntheticRunner(
      {
        Poll: {
          StartAt: 'PollHop',
          States: {
            PollHop: lambda('poll', { Next: 'IsDone' }),
            IsDone: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'Done' }], Default: 'PollHop' },
            Done: { Type: 'Succeed' },
          },
        },
      },
      {
        poll: async () => {
          calls += 1;
          return { done: false };
        },
      },
    );
    // Act
    const outcome = await rig.run('Poll', {});
    // Assess: round r starts at event 1 + 7(r − 1); its task's first three events fit up to r = 3,571, and the
    // round after fails the execution before its poll runs.
    expect(outcome.error?.name).toBe('States.Runtime');
    expect(calls).toBe(3_571);
  });

  it('counts inline Map iterations in the parent history, so a large inline Map fails the parent', async () => {
    // Prepare: per item MapIterationStarted, five Lambda task events, MapIterationSucceeded
    const machine = (mode: 'INLINE' | 'DISTRIBUTED') => ({
      StartAt: 'Clusters',
      States: {
        Clusters: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 40,
          ItemProcessor: { ProcessorConfig: mode === 'INLINE' ? { Mode: 'INLINE' } : { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Upgrade', States: { Upgrade: lambda('upgrade', { End: true }) } },
          ResultPath: null,
          End: true,
        },
      },
    });
    const tasks = { upgrade: async () => ({}) };
    const inline = syntheticRunner({ Fleet: machine('INLINE') }, tasks);
    const distributed = syntheticRunner({ Fleet: machine('DISTRIBUTED') }, tasks);
    const items = Array.from({ length: 3_600 }, (_, i) => i);
    // Act
    const [inlineOutcome, distributedOutcome] = [await inline.run('Fleet', { items }), await distributed.run('Fleet', { items })];
    // Assess: inline, 7 × 3,600 > 25,000; distributed, the parent keeps its 8 events.
    expect(inlineOutcome.error?.name).toBe('States.Runtime');
    expect(inline.endOf('Fleet').historyEvents).toBe(25_000);
    expect(distributedOutcome.error).toBeUndefined();
    expect(distributed.endOf('Fleet').historyEvents).toBe(8);
    expect(distributed.ends.filter((e) => e.kind === 'Fleet/Clusters')).toHaveLength(3_600);
  });
});
