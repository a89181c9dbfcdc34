import { selectClusters } from '../lib/steps/select-clusters.js';
import { FleetStateSchema } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `SelectClusters` → lib/steps/select-clusters.ts → progress record step `SelectClusters`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('SelectClusters', FleetStateSchema, selectClusters, deps);
export const handler = buildHandler(depsFromEnv);
