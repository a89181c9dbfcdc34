import type { TestContext } from 'vitest';

/** One row of the fault matrix: what was injected, what must happen, what did. */
export interface FaultRow {
  readonly scenario: string;
  readonly expected: string;
  /** Filled in by the test from what the progress log, the run report and the simulator show. */
  observed: string;
}

declare module 'vitest' {
  interface TaskMeta {
    faultRow?: FaultRow;
  }
}

/**
 * Declares the test's row of the matrix; `npm run test:faults` prints it (matrix-reporter.ts) with the test's
 * pass/fail. Call `observe` with what the run showed before asserting, so a failing row still says what happened.
 *
 * @example
 * const row = matrixRow(context, 'STUCK update', 'TIMED_OUT after hopTimeoutSeconds; no second update');
 * row.observe(`hop ${hop.outcome} after ${hop.polls} polls; ${updates} UpdateAddon`);
 */
export function matrixRow(context: TestContext, scenario: string, expected: string): { observe(text: string): void } {
  const row: FaultRow = { scenario, expected, observed: '(the test ended before observing)' };
  context.task.meta.faultRow = row;
  return {
    observe(text: string) {
      row.observed = text;
    },
  };
}
