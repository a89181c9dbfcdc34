import { applyHop } from '../lib/steps/apply-hop.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `ApplyHop` → lib/steps/apply-hop.ts → progress record step `ApplyHop`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('ApplyHop', ClusterState, applyHop, deps);
export const handler = buildHandler(depsFromEnv);
