import { describe, expect, it } from 'vitest';
import { PAYLOAD_LIMIT_BYTES } from '../../rehearsal/runner/step-functions-quotas.js';
import { distributedLanes, filler, lambda, syntheticRunner } from './synthetic-runner.js';

// Step Functions' 256 KiB quota (262,144 bytes of UTF-8 JSON) on every state's input and output and every
// execution's input and output. A task's result over it is a task failure that Catch and Retry see (AWS's own
// recorded histories); any other payload over it fails the execution, whatever the Catch says.
const OVER = PAYLOAD_LIMIT_BYTES + 1;
/** `{"v":"xxx…"}` of exactly `bytes` bytes. */
const payloadOf = (bytes: number) => ({ v: filler(bytes - '{"v":""}'.length) });

describe('payload quota (262,144 bytes)', () => {
  it('fails a task whose result is over the quota, and a Catch on States.DataLimitExceeded catches it', async () => {
    // Prepare
    const rig = syntheticRunner(
      {
        M: {
          StartAt: 'InvokeLambda',
          States: {
            InvokeLambda: lambda('big', { Catch: [{ ErrorEquals: ['States.DataLimitExceeded'], Next: 'HandleDataLimitExceeded' }, { ErrorEquals: ['States.ALL'], Next: 'HandleGeneralError' }], End: true }),
            HandleDataLimitExceeded: { Type: 'Pass', End: true },
            HandleGeneralError: { Type: 'Pass', End: true },
          },
        },
      },
      { big: async () => payloadOf(OVER) },
    );
    // Act
    const outcome = await rig.run('M', {});
    // Assess
    expect(outcome.output).toMatchObject({ Error: 'States.DataLimitExceeded' });
    expect(rig.transitions.map((t) => t.stateName)).toEqual(['InvokeLambda', 'HandleDataLimitExceeded']);
    expect(rig.endOf('M')).toMatchObject({ status: 'SUCCEEDED', historyEvents: 9 });
  });

  it('lets States.ALL catch an oversized task result, as AWS does', async () => {
    // Prepare
    const rig = syntheticRunner(
      { M: { StartAt: 'InvokeLambda', States: { InvokeLambda: lambda('big', { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'HandleGeneralError' }], End: true }), HandleGeneralError: { Type: 'Pass', End: true } } } },
      { big: async () => payloadOf(OVER) },
    );
    // Act
    const outcome = await rig.run('M', {});
    // Assess
    expect(outcome.output).toMatchObject({ Error: 'States.DataLimitExceeded' });
  });

  it('accepts a result of exactly 262,144 bytes and refuses one byte more', async () => {
    // Prepare
    const machine = { M: { StartAt: 'InvokeLambda', States: { InvokeLambda: lambda('sized', { End: true }) } } };
    const exact = syntheticRunner(machine, { sized: async () => payloadOf(PAYLOAD_LIMIT_BYTES) });
    const over = syntheticRunner(machine, { sized: async () => payloadOf(OVER) });
    // Act
    const [atLimit, overLimit] = [await exact.run('M', {}), await over.run('M', {})];
    // Assess
    expect(atLimit.error).toBeUndefined();
    expect(exact.endOf('M')).toMatchObject({ status: 'SUCCEEDED', maxStateBytes: PAYLOAD_LIMIT_BYTES });
    expect(overLimit.error?.name).toBe('States.DataLimitExceeded');
  });

  it("fails the execution when a state's output is over the quota, past any Catch, and runs nothing after it", async () => {
    // Prepare: each result fits; with ResultPath the state's output (input + result) does not.
    let nextRan = false;
    const rig = syntheticRunner(
      {
        M: {
          StartAt: 'Select',
          States: {
            Select: lambda('half', { ResultPath: '$.selection', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], Next: 'Deploy' }),
            Deploy: lambda('next', { End: true }),
            Caught: { Type: 'Pass', End: true },
          },
        },
      },
      {
        half: async () => payloadOf(140_000),
        next: async () => {
          nextRan = true;
          return {};
        },
      },
    );
    // Act
    const outcome = await rig.run('M', payloadOf(140_000));
    // Assess
    expect(outcome.error).toMatchObject({ name: 'States.DataLimitExceeded', message: expect.stringContaining("output of state 'Select'") });
    expect(nextRan).toBe(false);
    expect(rig.transitions.map((t) => t.stateName)).not.toContain('Caught');
    expect(rig.endOf('M')).toMatchObject({ status: 'FAILED', error: { name: 'States.DataLimitExceeded' } });
  });

  it('fails the execution when a Pass state builds an output over the quota', async () => {
    // Prepare
    const rig = syntheticRunner({ M: { StartAt: 'State_1', States: { State_1: { Type: 'Pass', Result: payloadOf(257 * 1024), End: true } } } });
    // Act
    const outcome = await rig.run('M', {});
    // Assess: ExecutionStarted | PassStateEntered | ExecutionFailed
    expect(outcome.error?.name).toBe('States.DataLimitExceeded');
    expect(rig.endOf('M')).toMatchObject({ status: 'FAILED', historyEvents: 3 });
  });

  it("fails the execution when a task's input after Parameters is over the quota, before the task runs", async () => {
    // Prepare
    let ran = false;
    const rig = syntheticRunner(
      { M: { StartAt: 'Call', States: { Call: lambda('call', { Parameters: { 'a.$': '$.v', 'b.$': '$.v' }, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], End: true }), Caught: { Type: 'Pass', End: true } } } },
      {
        call: async () => {
          ran = true;
          return {};
        },
      },
    );
    // Act
    const outcome = await rig.run('M', payloadOf(200_000));
    // Assess
    expect(outcome.error).toMatchObject({ name: 'States.DataLimitExceeded', message: expect.stringContaining("input of state 'Call'") });
    expect(ran).toBe(false);
  });

  it('refuses an execution input over the quota: no history, nothing runs', async () => {
    // Prepare
    let ran = false;
    const rig = syntheticRunner(
      { M: { StartAt: 'Call', States: { Call: lambda('call', { End: true }) } } },
      {
        call: async () => {
          ran = true;
          return {};
        },
      },
    );
    // Act
    const outcome = await rig.run('M', payloadOf(OVER));
    // Assess
    expect(outcome.error).toMatchObject({ name: 'States.DataLimitExceeded', message: expect.stringContaining('execution input') });
    expect(ran).toBe(false);
    expect(rig.endOf('M')).toMatchObject({ status: 'FAILED', historyEvents: 0, maxStateBytes: OVER });
  });

  it("fails a Distributed Map child whose input is over the quota, as that child's failure", async () => {
    // Prepare
    const rig = syntheticRunner({
      M: distributedLanes({ Type: 'Pass', End: true }, { ItemSelector: { 'pad.$': '$.pad', 'again.$': '$.pad', 'n.$': '$$.Map.Item.Value' }, ToleratedFailureCount: 0 }),
    });
    // Act: the parent's input fits; the ItemSelector puts its 140 KB pad into the child's input twice.
    const outcome = await rig.run('M', { items: [1], pad: filler(140_000) });
    // Assess
    expect(outcome.error?.name).toBe('States.ExceedToleratedFailureThreshold');
    expect(rig.endOf('M/Lanes')).toMatchObject({ status: 'FAILED', historyEvents: 0, error: { name: 'States.DataLimitExceeded' } });
  });

  it('reports the largest payload each execution passed', async () => {
    // Prepare
    const rig = syntheticRunner({ M: { StartAt: 'Grow', States: { Grow: { Type: 'Pass', Result: payloadOf(10_000), End: true } } } });
    // Act
    await rig.run('M', payloadOf(500));
    // Assess
    expect(rig.endOf('M').maxStateBytes).toBe(10_000);
  });
});
