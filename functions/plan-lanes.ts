import { planLanes } from '../lib/steps/plan-lanes.js';
import { PlanLanesEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `PlanLanes` → lib/steps/plan-lanes.ts → progress record step `PlanLanes`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('PlanLanes', PlanLanesEvent, planLanes, deps);
export const handler = buildHandler(depsFromEnv);
