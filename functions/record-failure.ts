import { recordFailure } from '../lib/steps/record-failure.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `RecordFailure` → lib/steps/record-failure.ts → progress record step `RecordFailure`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('RecordFailure', ClusterState, recordFailure, deps);
export const handler = buildHandler(depsFromEnv);
