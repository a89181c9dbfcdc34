import { summarizeRun } from '../lib/steps/summarize-run.js';
import { RunRef } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `SummarizeRun` → lib/steps/summarize-run.ts → progress record step `SummarizeRun`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('SummarizeRun', RunRef, summarizeRun, deps);
export const handler = buildHandler(depsFromEnv);
