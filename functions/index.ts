import type { DepsProvider } from './step-handler.js';
import { buildHandler as validateInput } from './validate-input.js';
import { buildHandler as acquireLock } from './acquire-lock.js';
import { buildHandler as takeSnapshot } from './take-snapshot.js';
import { buildHandler as planUpgrade } from './plan-upgrade.js';
import { buildHandler as recordDryRun } from './record-dry-run.js';
import { buildHandler as applyHop } from './apply-hop.js';
import { buildHandler as pollHop } from './poll-hop.js';
import { buildHandler as verifyUpgrade } from './verify-upgrade.js';
import { buildHandler as releaseLock } from './release-lock.js';
import { buildHandler as recordFailure } from './record-failure.js';
import { buildHandler as validateFleetInput } from './validate-fleet-input.js';
import { buildHandler as planLanes } from './plan-lanes.js';
import { buildHandler as discoverLane } from './discover-lane.js';
import { buildHandler as indexWaves } from './index-waves.js';
import { buildHandler as readLanePage } from './read-lane-page.js';
import { buildHandler as closeLaneWave } from './close-lane-wave.js';
import { buildHandler as checkFailureBudget } from './check-failure-budget.js';
import { buildHandler as summarizeRun } from './summarize-run.js';
import { buildHandler as cleanupExecution } from './cleanup-execution.js';
import { buildHandler as requestApproval } from './request-approval.js';
import { buildHandler as recordApproval } from './record-approval.js';

/**
 * Every Lambda function by the function key that serverless.yml and the ASL (`Fn::GetAtt: [key, Arn]`) use: the
 * Tasks, and cleanupExecution, which a rule starts when an execution ends outside its workflow. The local runner
 * builds the same handlers with local dependencies.
 */
export const FUNCTION_BUILDERS = {
  validateInput,
  acquireLock,
  takeSnapshot,
  planUpgrade,
  recordDryRun,
  applyHop,
  pollHop,
  verifyUpgrade,
  releaseLock,
  recordFailure,
  validateFleetInput,
  planLanes,
  discoverLane,
  indexWaves,
  readLanePage,
  closeLaneWave,
  checkFailureBudget,
  summarizeRun,
  requestApproval,
  recordApproval,
  cleanupExecution,
} as const satisfies Record<string, (deps: DepsProvider) => unknown>;
