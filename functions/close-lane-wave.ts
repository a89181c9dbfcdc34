import { closeLaneWave } from '../lib/steps/close-lane-wave.js';
import { LaneWaveEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `CloseLaneWave` → lib/steps/close-lane-wave.ts (the run's counters). */
export const buildHandler = (deps: DepsProvider) => stepHandler('CloseLaneWave', LaneWaveEvent, closeLaneWave, deps);
export const handler = buildHandler(depsFromEnv);
