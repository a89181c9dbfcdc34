import { InputValidationError } from '../errors.js';
import { Region } from '../fleet/names.js';
import { mapConcurrent } from '../concurrency/map-concurrent.js';
import type { ClusterItem, ProgressStore } from '../store/progress-store.js';
import { clusterRunView, type ClusterRunView } from './cluster-run-view.js';

/** What `readClusterHistory` looks for. */
export interface HistoryQuery {
  /** A cluster name (any account and Region) or a cluster key `account/region/name`. */
  readonly cluster: string;
  /** Only entries of this Region (a name alone may exist in several). */
  readonly region?: string | undefined;
  /** Newest entries to return; 20 by default, at most 1000 (the store's bound). */
  readonly limit?: number | undefined;
}

const MAX_LIMIT = 1000;
// Each entry reads its hops with one Query; a few in flight keep a 20-entry history quick without a burst.
const READS_IN_FLIGHT = 5;

/**
 * A cluster's history across runs, newest first: each run's outcome, from → to, and every hop with its
 * versions, update id, polls, duration and error. A bare name is read from the `byClusterName` index, a key
 * from `byCluster` (docs/progress-table.md); neither scans the table.
 *
 * @throws InputValidationError naming `--cluster`, `--region` or `--limit`
 * @example
 * const runs = await readClusterHistory(store, { cluster: 'payments-prod', limit: 5 });
 * runs[0]?.hops.map((h) => `${h.version} ${h.outcome} ${h.polls} polls`)
 */
export async function readClusterHistory(store: ProgressStore, query: HistoryQuery): Promise<ClusterRunView[]> {
  const limit = query.limit ?? 20;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_LIMIT)) throw new InputValidationError('--limit', `${String(limit)} must be a whole number from 1 to ${MAX_LIMIT}`);
  if (query.region !== undefined && !Region.safeParse(query.region).success) throw new InputValidationError('--region', `"${query.region}" must be an AWS Region such as us-east-1`);
  let items: ClusterItem[];
  try {
    // A Region filter applies after the query, so read as many as the store allows and cut after filtering.
    const wanted = query.region === undefined ? limit : MAX_LIMIT;
    items = await store.clusterHistory(query.cluster, { limit: wanted });
  } catch (error) {
    if (error instanceof InputValidationError && (error.field === 'clusterName' || error.field === 'clusterKey' || error.field.startsWith('account') || error.field === 'region')) {
      throw new InputValidationError('--cluster', error.problem, { cause: error });
    }
    throw error;
  }
  const selected = items.filter((c) => query.region === undefined || c.region === query.region).slice(0, limit);
  return mapConcurrent(selected, READS_IN_FLIGHT, async (item) => {
    const records = await store.getRunCluster(item.runId, item.clusterKey);
    // The index entry is the cluster record itself; its hops may have expired (TTL) or never existed.
    return clusterRunView(item.runId, records ?? { clusterKey: item.clusterKey, cluster: item, snapshot: null, plan: null, hops: [] });
  });
}
