import { checkFailureBudget } from '../lib/steps/check-failure-budget.js';
import { NextWaveEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `CheckFailureBudget` → lib/steps/check-failure-budget.ts → progress record step `CheckFailureBudget`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('CheckFailureBudget', NextWaveEvent, checkFailureBudget, deps);
export const handler = buildHandler(depsFromEnv);
