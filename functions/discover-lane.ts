import { discoverLane } from '../lib/steps/discover-lane.js';
import { DiscoverLaneEvent } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task states `DiscoverLane` and `RecordLaneFaults` → lib/steps/discover-lane.ts → progress record step `DiscoverLane`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('DiscoverLane', DiscoverLaneEvent, discoverLane, deps);
export const handler = buildHandler(depsFromEnv);
