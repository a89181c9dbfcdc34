import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { InputValidationError } from '../../../lib/errors.js';
import { z } from 'zod';
import { stepHandler, setLogLevel } from '../../../functions/step-handler.js';
import type { StepDeps } from '../../../lib/steps/step-deps.js';

// The handler's middy chain: the Powertools parser middleware parses the state, and a bad state still fails as
// InputValidationError (the name the state machines catch) naming the field, before the step runs.

const State = z.strictObject({ cluster: z.strictObject({ name: z.string().min(1) }), hops: z.number().int().default(1) });
const context = { functionName: 'TestStep', awsRequestId: 'test', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
const noDeps = (): StepDeps => ({}) as StepDeps;

describe('stepHandler', () => {
  setLogLevel('SILENT');

  it('hands the step the parsed state (defaults applied) and returns its result', async () => {
    // Prepare
    const seen: unknown[] = [];
    const handler = stepHandler('TestStep', State, (input) => (seen.push(input), { ok: input.cluster.name }), noDeps);
    // Act
    const result = await handler({ cluster: { name: 'payments-prod' } }, context);
    // Assess
    expect(result).toEqual({ ok: 'payments-prod' });
    expect(seen).toEqual([{ cluster: { name: 'payments-prod' }, hops: 1 }]);
  });

  it('refuses a bad state as InputValidationError naming the field, without running the step', async () => {
    // Prepare
    let ran = false;
    const handler = stepHandler('TestStep', State, () => (ran = true), noDeps);
    // Act
    const failure = handler({ cluster: { name: '' } }, context).catch((error: unknown) => error);
    // Assess
    const error = (await failure) as Error;
    expect(error.name).toBe('InputValidationError');
    expect(error.message).toMatch(/^event\.cluster\.name: /);
    expect(ran).toBe(false);
  });

  it('names an unknown key of the state', async () => {
    // Act
    const error = (await stepHandler('TestStep', State, () => 1, noDeps)({ cluster: { name: 'a' }, extra: 1 }, context).catch((e: unknown) => e)) as Error;
    // Assess
    expect([error.name, error.message]).toEqual(['InputValidationError', expect.stringMatching(/^event\.extra: unknown key "extra"/)]);
  });

  it('stays silent at every invocation once silenced (the rehearsal keeps its console for progress)', async () => {
    // Prepare
    const handler = stepHandler('TestStep', State, () => {
      throw new InputValidationError('cluster', 'refused by the step');
    }, noDeps);
    const writes = [vi.spyOn(process.stdout, 'write').mockImplementation(() => true), vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
    // Act
    for (let i = 0; i < 3; i += 1) await handler({ cluster: { name: 'a' } }, context).catch(() => undefined);
    const written = writes.flatMap((spy) => spy.mock.calls.map(([chunk]) => String(chunk)));
    for (const spy of writes) spy.mockRestore();
    // Assess
    expect(written).toEqual([]);
  });
});
