import { indexWaves } from '../lib/steps/index-waves.js';
import { IndexWavesEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `IndexWaves` → lib/steps/index-waves.ts → progress record step `IndexWaves`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('IndexWaves', IndexWavesEvent, indexWaves, deps);
export const handler = buildHandler(depsFromEnv);
