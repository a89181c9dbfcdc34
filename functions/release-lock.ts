import { releaseLock } from '../lib/steps/release-lock.js';
import { LockOwner } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `ReleaseLock` → lib/steps/release-lock.ts → progress record step `ReleaseLock`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('ReleaseLock', LockOwner, releaseLock, deps);
export const handler = buildHandler(depsFromEnv);
