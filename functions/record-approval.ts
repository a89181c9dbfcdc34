import { recordApproval } from '../lib/steps/record-approval.js';
import { ApprovalOutcomeEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task states `RecordApproval` and `RecordRejection` → lib/steps/record-approval.ts → the APPROVAL item, the run's halt. */
export const buildHandler = (deps: DepsProvider) => stepHandler('RecordApproval', ApprovalOutcomeEvent, recordApproval, deps);
export const handler = buildHandler(depsFromEnv);
