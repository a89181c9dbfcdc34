import { takeSnapshot } from '../lib/steps/take-snapshot.js';
import { TakeSnapshotEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `TakeSnapshot` → lib/steps/take-snapshot.ts → progress record step `TakeSnapshot`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('TakeSnapshot', TakeSnapshotEvent, takeSnapshot, deps);
export const handler = buildHandler(depsFromEnv);
