import { requestApproval } from '../lib/steps/request-approval.js';
import { ApprovalRequestEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `RequestApproval` (lambda:invoke.waitForTaskToken) → lib/steps/request-approval.ts → the APPROVAL item. */
export const buildHandler = (deps: DepsProvider) => stepHandler('RequestApproval', ApprovalRequestEvent, requestApproval, deps);
export const handler = buildHandler(depsFromEnv);
