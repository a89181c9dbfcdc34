import { recordHop } from '../lib/steps/record-hop.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `RecordHop` → lib/steps/record-hop.ts → progress record step `RecordHop`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('RecordHop', ClusterState, recordHop, deps);
export const handler = buildHandler(depsFromEnv);
