import { createHash } from 'node:crypto';
import { InputValidationError, StepAlreadyRecordedError } from '../errors.js';
import { lanesOfList, lanesOfSelector, MAX_LANES } from '../fleet/lanes.js';
import type { Lane, LaneEntry, ListedCluster } from '../fleet/lanes.js';
import { FleetExecutionInput } from '../schemas/execution-input.js';
import type { RunTrigger } from '../store/progress-store.js';
import { toPlainJson } from '../json.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import type { StepDeps } from './step-deps.js';
import { resolveListedClusters } from './validate-fleet-input.js';

/** What PlanLanes returns into the state: the lane numbers the discovery Map runs over, nothing sized by clusters. */
export interface LanePlan {
  readonly lanes: number[];
  readonly laneCount: number;
  readonly source: 'list' | 'selector';
}

/** A list's fingerprint for the RUN item: the list itself may be 10,000 entries, far over DynamoDB's 400 KB item. */
const fingerprint = (clusters: readonly ListedCluster[]): string => createHash('sha256').update(JSON.stringify(clusters)).digest('hex');

/** The first role each account's clusters are reached with, by account. */
function rolesByAccount(listed: readonly ListedCluster[]): Record<string, string> {
  const roles: Record<string, string> = {};
  for (const c of listed) if (c.accountId && c.roleArn && roles[c.accountId] === undefined) roles[c.accountId] = c.roleArn;
  return roles;
}

/**
 * PlanLanes: reads the execution input (from the context object: the state never holds the list), opens the
 * run, and writes its lanes — one per (account, Region) — with each list lane's cluster names. A stored list
 * (`clustersRef`) is read from the progress table first.
 *
 * @throws InputValidationError naming `clusters` when the list spans more than MAX_LANES lanes
 * @throws StepAlreadyRecordedError when the run id belongs to a run that already ended
 * @example
 * await planLanes({ runId: 'weekly-48', input }, deps) // { lanes: [0, 1, 2], laneCount: 3, source: 'list' }
 */
export async function planLanes(event: { runId: string; input: unknown }, deps: StepDeps): Promise<LanePlan> {
  const input = parseOrThrow(FleetExecutionInput, event.input);
  const given: ListedCluster[] | undefined = input.clusters ?? (input.clustersRef ? await deps.store.readClusterList(event.runId, input.clustersRef) : undefined);
  // Every entry with its account and role (a stored list is checked here, before anything is written).
  const listed = given ? resolveListedClusters(given, deps) : undefined;
  let lanes: { lane: Lane; entries: LaneEntry[] | null }[];
  if (listed) {
    lanes = lanesOfList(listed, deps.accountId);
  } else if (input.selector) {
    lanes = lanesOfSelector(input.selector, deps.accountId).map((lane) => ({ lane, entries: null }));
  } else {
    throw new InputValidationError('clusters', 'give "clusters", "clustersRef" or "selector"');
  }
  if (lanes.length > MAX_LANES)
    throw new InputValidationError('clusters', `span ${lanes.length} lanes (account × Region); a run takes at most ${MAX_LANES}: split the list into several runs`);

  const run = await deps.store.putRun({
    runId: event.runId,
    trigger: input.trigger as RunTrigger,
    input: toPlainJson({
      source: listed ? 'list' : 'selector',
      // The list itself may be 10,000 entries (far over DynamoDB's 400 KB item): its size, fingerprint and the role
      // used in each account (what `cni-fleet retry` needs to reach a cluster again) stand for it.
      ...(listed ? { clusterCount: listed.length, listSha256: fingerprint(listed), roles: rolesByAccount(listed) } : { selector: input.selector ?? null }),
      options: input.options,
      waveTag: input.waveTag,
      skipTag: input.skipTag,
    }),
  });
  // A run id is one run: going on under a finished run's id would rewrite its records (the failure budget marks
  // its FAILED clusters SKIPPED). Resuming is a new run (docs/failure-behaviour.md#resuming-after-a-failure).
  if (run.status !== 'RUNNING') throw new StepAlreadyRecordedError(run.type, run.pk, run.sk, `the run already ended as ${run.status}; resume with a new run id`);
  await deps.store.putLanes(event.runId, lanes);
  await deps.store.initRunCounts(event.runId);
  return { lanes: lanes.map((l) => l.lane.lane), laneCount: lanes.length, source: listed ? 'list' : 'selector' };
}
