import { cleanupExecution } from '../lib/steps/cleanup-execution.js';
import { ExecutionStatusChange } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/**
 * Not a Task: the target of the rule on "Step Functions Execution Status Change" (serverless.yml,
 * CleanupExecutionRule) → lib/steps/cleanup-execution.ts. Releases an ended execution's locks, closes what it left open.
 */
export const buildHandler = (deps: DepsProvider) => stepHandler('CleanupExecution', ExecutionStatusChange, cleanupExecution, deps);
export const handler = buildHandler(depsFromEnv);
