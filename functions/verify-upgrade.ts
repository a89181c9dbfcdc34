import { verifyUpgrade } from '../lib/steps/verify-upgrade.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `VerifyUpgrade` → lib/steps/verify-upgrade.ts → progress record step `VerifyUpgrade`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('VerifyUpgrade', ClusterState, verifyUpgrade, deps);
export const handler = buildHandler(depsFromEnv);
