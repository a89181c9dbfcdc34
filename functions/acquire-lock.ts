import { acquireLock } from '../lib/steps/acquire-lock.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `AcquireLock` → lib/steps/acquire-lock.ts → progress record step `AcquireLock`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('AcquireLock', ClusterState, acquireLock, deps);
export const handler = buildHandler(depsFromEnv);
