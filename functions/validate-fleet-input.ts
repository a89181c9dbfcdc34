import { validateFleetInput } from '../lib/steps/validate-fleet-input.js';
import { ValidateFleetInputEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `ValidateFleetInput` → lib/steps/validate-fleet-input.ts → progress record step `ValidateFleetInput`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('ValidateFleetInput', ValidateFleetInputEvent, (event, deps) => validateFleetInput(event, deps), deps);
export const handler = buildHandler(depsFromEnv);
