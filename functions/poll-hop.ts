import { pollHop } from '../lib/steps/poll-hop.js';
import { ClusterState } from '../lib/workflow/task-events.js';
import type { DepsProvider } from './step-handler.js';
import { depsFromEnv, stepHandler } from './step-handler.js';

/** Task state `PollHop` → lib/steps/poll-hop.ts → progress record step `PollHop`. */
export const buildHandler = (deps: DepsProvider) => stepHandler('PollHop', ClusterState, pollHop, deps);
export const handler = buildHandler(depsFromEnv);
