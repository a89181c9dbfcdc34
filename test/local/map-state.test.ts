import { describe, expect, it } from 'vitest';
import { UnsupportedDefinitionError } from '../../lib/errors.js';
import type { LocalTask } from '../../rehearsal/runner/workflow-runner.js';
import { lambda, syntheticRunner } from './synthetic-runner.js';

const DISTRIBUTED = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' };

/** Tasks that count how many items are between Enter and Leave at once (a Wait holds each one 60 s). */
function occupancy() {
  const seen = { running: 0, peak: 0 };
  const tasks: Record<string, LocalTask> = {
    enter: async (input) => {
      seen.running += 1;
      seen.peak = Math.max(seen.peak, seen.running);
      return input;
    },
    leave: async (input) => {
      seen.running -= 1;
      return input;
    },
  };
  const processor = (config: Record<string, unknown>) => ({
    ProcessorConfig: config,
    StartAt: 'Enter',
    States: { Enter: lambda('enter', { Next: 'Hold' }), Hold: { Type: 'Wait', Seconds: 60, Next: 'Leave' }, Leave: lambda('leave', { End: true }) },
  });
  return { seen, tasks, processor };
}

const mapMachine = (map: Record<string, unknown>) => ({ StartAt: 'Work', States: { Work: { Type: 'Map', ItemsPath: '$.items', ...map, End: true } } });
const items = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Map concurrency', () => {
  it.each([
    { mode: 'inline', maxConcurrency: 100, expected: 40 },
    { mode: 'inline', maxConcurrency: 0, expected: 40 },
    { mode: 'inline', maxConcurrency: 7, expected: 7 },
    { mode: 'distributed', maxConcurrency: 0, expected: 60 },
    { mode: 'distributed', maxConcurrency: 100, expected: 60 },
  ])('$mode Map, MaxConcurrency $maxConcurrency: at most $expected of 60 items at once', async ({ mode, maxConcurrency, expected }) => {
    // Prepare
    const { seen, tasks, processor } = occupancy();
    const rig = syntheticRunner({ M: mapMachine({ MaxConcurrency: maxConcurrency, ItemProcessor: processor(mode === 'inline' ? { Mode: 'INLINE' } : DISTRIBUTED) }) }, tasks);
    // Act
    const outcome = await rig.run('M', { items: items(60) });
    // Assess
    expect(outcome.error).toBeUndefined();
    expect(seen.peak).toBe(expected);
  });

  it('honours MaxConcurrencyPath in a Distributed Map, one child execution per item', async () => {
    // Prepare
    const { seen, tasks, processor } = occupancy();
    const rig = syntheticRunner({ M: mapMachine({ MaxConcurrencyPath: '$.lanesAtOnce', ItemProcessor: processor(DISTRIBUTED) }) }, tasks);
    // Act
    const outcome = await rig.run('M', { items: items(12), lanesAtOnce: 3 });
    // Assess: 12 items, 3 at a time, 60 virtual seconds each
    expect(outcome.output).toEqual(items(12));
    expect(seen.peak).toBe(3);
    expect(rig.clock.now() - Date.UTC(2026, 11, 1)).toBe(4 * 60_000);
    expect(rig.ends.filter((e) => e.kind === 'M/Work')).toHaveLength(12);
  });

  it('fails with States.Runtime when MaxConcurrencyPath selects no usable number', async () => {
    // Prepare
    const { tasks, processor } = occupancy();
    const rig = syntheticRunner({ M: mapMachine({ MaxConcurrencyPath: '$.lanesAtOnce', ItemProcessor: processor(DISTRIBUTED) }) }, tasks);
    // Act
    const outcome = await rig.run('M', { items: items(2), lanesAtOnce: 'many' });
    // Assess
    expect(outcome.error).toMatchObject({ name: 'States.Runtime', message: expect.stringContaining('MaxConcurrency') });
  });
});

describe('Distributed Map', () => {
  it("runs each item as a child execution with its own context, named and reported as the Map's", async () => {
    // Prepare
    const rig = syntheticRunner(
      {
        Fleet: {
          StartAt: 'RunLanes',
          States: {
            RunLanes: {
              Type: 'Map',
              Label: 'RunLane',
              ItemsPath: '$.lanes',
              ItemSelector: { 'lane.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'runId.$': '$.runId' },
              ItemProcessor: { ProcessorConfig: DISTRIBUTED, StartAt: 'WhoAmI', States: { WhoAmI: lambda('whoami', { Parameters: { 'lane.$': '$.lane', 'index.$': '$.index', 'runId.$': '$.runId', 'execution.$': '$$.Execution.Id' }, End: true }) } },
              ResultSelector: { 'lanes.$': '$' },
              ResultPath: '$.result',
              OutputPath: '$.result',
              End: true,
            },
          },
        },
      },
      { whoami: async (input) => input },
    );
    // Act
    const outcome = await rig.run('Fleet', { runId: 'r1', lanes: ['111122223333/us-east-1', '111122223333/eu-west-1'] }, 'fleet-1');
    // Assess
    const lanes = (outcome.output as { lanes: { lane: string; index: number; runId: string; execution: string }[] }).lanes;
    expect(lanes.map(({ lane, index, runId }) => ({ lane, index, runId }))).toEqual([
      { lane: '111122223333/us-east-1', index: 0, runId: 'r1' },
      { lane: '111122223333/eu-west-1', index: 1, runId: 'r1' },
    ]);
    const children = rig.ends.filter((e) => e.kind === 'Fleet/RunLane');
    expect(children.map((c) => c.executionArn).sort()).toEqual(lanes.map((l) => l.execution).sort());
    expect(new Set(children.map((c) => c.name)).size).toBe(2);
    expect(children.every((c) => c.parentArn === rig.endOf('Fleet').executionArn && c.status === 'SUCCEEDED')).toBe(true);
    expect(rig.transitions.filter((t) => t.machine === 'Fleet/RunLane').map((t) => t.stateName)).toEqual(['WhoAmI', 'WhoAmI']);
  });

  const failingItems = (map: Record<string, unknown>) =>
    syntheticRunner(
      {
        M: {
          StartAt: 'Work',
          States: {
            Work: { Type: 'Map', ItemsPath: '$.items', ...map, ItemProcessor: { ProcessorConfig: DISTRIBUTED, StartAt: 'Item', States: { Item: lambda('item', { End: true }) } }, Catch: [{ ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.error', Next: 'Halted' }], End: true },
            Halted: { Type: 'Pass', End: true },
          },
        },
      },
      {
        // Items below 0 fail.
        item: async (input) => {
          if ((input as number) < 0) throw Object.assign(new Error('negative item'), { name: 'ItemFailed' });
          return input;
        },
      },
    );
  const tenWithFailures = (failures: number) => items(10).map((i) => (i < failures ? -1 - i : i));

  it.each([
    { map: {}, failures: 1, fails: true },
    { map: { ToleratedFailureCount: 2 }, failures: 2, fails: false },
    { map: { ToleratedFailureCount: 2 }, failures: 3, fails: true },
    { map: { ToleratedFailurePercentage: 30 }, failures: 3, fails: false },
    { map: { ToleratedFailurePercentage: 20 }, failures: 3, fails: true },
    { map: { ToleratedFailureCount: 5, ToleratedFailurePercentage: 10 }, failures: 2, fails: true },
    { map: { ToleratedFailureCountPath: '$.tolerated' }, failures: 4, fails: false },
    { map: { ToleratedFailurePercentagePath: '$.percent' }, failures: 4, fails: true },
  ])('$map with $failures of 10 items failing: the Map fails = $fails', async ({ map, failures, fails }) => {
    // Prepare
    const rig = failingItems(map);
    // Act
    const outcome = await rig.run('M', { items: tenWithFailures(failures), tolerated: 4, percent: 39.9 });
    // Assess
    if (fails) {
      expect(outcome.output).toMatchObject({ error: { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' } });
      expect(rig.transitions.map((t) => t.stateName).filter((s) => s === 'Halted')).toHaveLength(1);
    } else {
      // A failed child leaves null in its place.
      expect(outcome.output).toEqual(tenWithFailures(failures).map((i) => (i < 0 ? null : i)));
    }
    expect(rig.ends.filter((e) => e.kind === 'M/Work' && e.status === 'FAILED').length).toBeGreaterThanOrEqual(Math.min(failures, 1));
  });

  it('stops the other children when the Map Run fails', async () => {
    // Prepare: item 0 fails after 10 s; the others would finish after 60 s.
    const started: number[] = [];
    const finished: number[] = [];
    const rig = syntheticRunner(
      {
        M: mapMachine({
          ItemProcessor: {
            ProcessorConfig: DISTRIBUTED,
            StartAt: 'Begin',
            States: { Begin: lambda('begin', { Next: 'Hold' }), Hold: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Finish' }, Finish: lambda('finish', { End: true }) },
          },
        }),
      },
      {
        begin: async (input) => {
          started.push((input as { n: number }).n);
          return input;
        },
        finish: async (input) => {
          const { n } = input as { n: number };
          if (n === 0) throw Object.assign(new Error('first item fails'), { name: 'ItemFailed' });
          finished.push(n);
          return input;
        },
      },
    );
    // Act
    const outcome = await rig.run('M', { items: items(5).map((n) => ({ n, wait: n === 0 ? 10 : 60 })) });
    // Assess
    expect(outcome.error?.name).toBe('States.ExceedToleratedFailureThreshold');
    expect(started.sort()).toEqual(items(5));
    expect(finished).toEqual([]);
    expect(rig.ends.filter((e) => e.kind === 'M/Work').map((e) => e.status).sort()).toEqual(['ABORTED', 'ABORTED', 'ABORTED', 'ABORTED', 'FAILED']);
    // The stopped children's Waits are gone: nothing moves the virtual clock on to 60 s afterwards.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rig.clock.now() - Date.UTC(2026, 11, 1)).toBe(10_000);
  });

  it('batches items with ItemBatcher: MaxItemsPerBatch and BatchInput', async () => {
    // Prepare
    const rig = syntheticRunner({ M: mapMachine({ ItemBatcher: { MaxItemsPerBatch: 3, BatchInput: { 'runId.$': '$.runId' } }, ItemProcessor: { ProcessorConfig: DISTRIBUTED, StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } } }) });
    // Act
    const outcome = await rig.run('M', { runId: 'r1', items: items(7) });
    // Assess
    expect(outcome.output).toEqual([
      { BatchInput: { runId: 'r1' }, Items: [0, 1, 2] },
      { BatchInput: { runId: 'r1' }, Items: [3, 4, 5] },
      { BatchInput: { runId: 'r1' }, Items: [6] },
    ]);
  });

  it.each([
    { field: 'ItemReader', map: { ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } } }, problem: 'ItemReader' },
    { field: 'ExecutionType EXPRESS', map: { ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } } }, problem: 'EXPRESS' },
    { field: 'an intrinsic in ItemSelector', map: { ItemSelector: { 'id.$': 'States.UUID()' } }, problem: 'intrinsic' },
  ])('refuses $field before anything runs, naming the state', ({ map, problem }) => {
    // Prepare
    const definition = mapMachine({ ItemProcessor: { ProcessorConfig: DISTRIBUTED, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, ...map });
    // Act
    const create = () => syntheticRunner({ M: definition });
    // Assess
    expect(create).toThrow(UnsupportedDefinitionError);
    expect(create).toThrow(new RegExp(`M: state Work: .*${problem}`));
  });
});
