import { FleetExecutionInput } from '../schemas/execution-input.js';
import type { ListedCluster } from '../fleet/lanes.js';
import type { JsonObject } from '../json.js';
import type { ProgressStore } from '../store/progress-store.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';

/**
 * Step Functions refuses an execution input over 262,144 bytes (UTF-8), and the execution input is the fleet's first
 * state: a list is stored once the input passes 48 KiB, so the fleet's largest state stays under 64 KiB whatever
 * the list's size (docs/fleet-workflow.md). A list pasted in the console may still use the whole 256 KiB.
 */
export const MAX_INLINE_INPUT_BYTES = 48 * 1024;

/**
 * True for a fleet input whose explicit list makes it too big to start with (docs/workflow.md#execution-input).
 *
 * @example
 * needsStoredList({ clusters: tenThousandClusters }) // true
 */
export function needsStoredList(input: JsonObject): boolean {
  return Array.isArray(input['clusters']) && Buffer.byteLength(JSON.stringify(input), 'utf8') > MAX_INLINE_INPUT_BYTES;
}

/**
 * Writes the input's list to the progress table under the run id (in parts) and returns the input that names it
 * instead (`clustersRef`), which PlanLanes reads back and checks part by part.
 *
 * @example
 * const input = await storeClusterList(store, 'weekly-48', checked.input); // { runId: 'weekly-48', clustersRef: { parts: 20, count: 10000 }, … }
 */
export async function storeClusterList(store: Pick<ProgressStore, 'putClusterList'>, runId: string, input: JsonObject): Promise<JsonObject> {
  const { clusters, ...rest } = input;
  const ref = await store.putClusterList(runId, clusters as unknown as ListedCluster[]);
  const stored: JsonObject = { ...rest, runId, clustersRef: ref };
  parseOrThrow(FleetExecutionInput, stored);
  return stored;
}
