import { planUpgrade } from '../lib/steps/plan-upgrade.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `PlanUpgrade` → lib/steps/plan-upgrade.ts → progress record step `PlanUpgrade`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('PlanUpgrade', ClusterState, planUpgrade, deps);
export const handler = buildHandler(depsFromEnv);
