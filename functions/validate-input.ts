import { validateInput } from '../lib/steps/validate-input.js';
import { ValidateInputEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `ValidateInput` → lib/steps/validate-input.ts → progress record step `ValidateInput`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('ValidateInput', ValidateInputEvent, (event, deps) => validateInput(event, deps), deps);
export const handler = buildHandler(depsFromEnv);
