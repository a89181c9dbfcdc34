import { readLanePage } from '../lib/steps/read-lane-page.js';
import { LaneWaveEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `ReadLanePage` → lib/steps/read-lane-page.ts → progress record step `CheckFailureBudget` (a halted wave). */
export const buildHandler = (deps: DepsProvider) => stepHandler('ReadLanePage', LaneWaveEvent, readLanePage, deps);
export const handler = buildHandler(depsFromEnv);
