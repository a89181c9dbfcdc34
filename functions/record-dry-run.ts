import { recordDryRun } from '../lib/steps/record-dry-run.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `RecordDryRun` → lib/steps/record-dry-run.ts → progress record step `RecordDryRun`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('RecordDryRun', ClusterState, recordDryRun, deps);
export const handler = buildHandler(depsFromEnv);
