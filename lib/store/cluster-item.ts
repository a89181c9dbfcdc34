import { ClusterStatus, ItemType, isFinalClusterStatus, type ClusterItem, type RecordedError } from './progress-items.js';
import { canonicalTimestamp, clusterKeyOf, keys } from './progress-keys.js';

/** What a new CLUSTER item is made of (ProgressStore.putCluster, and discovery's batch writes). */
export interface ClusterItemInput {
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly status?: ClusterStatus;
  readonly step?: string | null;
  readonly from?: string | null;
  readonly target?: string | null;
  readonly hopCount?: number;
  readonly startedAt?: string | Date;
  readonly error?: RecordedError | null;
}

/**
 * The CLUSTER item of a cluster joining a run (docs/progress-table.md): one builder for the single conditional put
 * and for discovery's batches, so both write the same attributes and index keys.
 *
 * @example
 * clusterItem('run-1', { accountId: '111122223333', region: 'us-east-1', clusterName: 'prod' }, new Date(), 1790000000)
 */
export function clusterItem(runId: string, cluster: ClusterItemInput, now: Date, expiresAt: number): ClusterItem {
  const clusterKey = clusterKeyOf(cluster);
  const status = cluster.status ?? ClusterStatus.PENDING;
  const startedAt = canonicalTimestamp(cluster.startedAt ?? now, 'startedAt');
  return {
    pk: keys.runPk(runId),
    sk: keys.clusterSk(clusterKey),
    type: ItemType.CLUSTER,
    expiresAt,
    runId,
    clusterKey,
    clusterName: cluster.clusterName,
    region: cluster.region,
    accountId: cluster.accountId,
    status,
    step: cluster.step ?? null,
    from: cluster.from ?? null,
    target: cluster.target ?? null,
    hopCount: cluster.hopCount ?? 0,
    hopsDone: 0,
    currentHop: null,
    error: cluster.error ? { name: String(cluster.error.name), message: String(cluster.error.message) } : null,
    startedAt,
    updatedAt: now.toISOString(),
    endedAt: isFinalClusterStatus(status) ? now.toISOString() : null,
    gsi1pk: keys.byClusterPk(clusterKey),
    gsi1sk: keys.historySk(startedAt, runId),
    gsi2pk: keys.byClusterNamePk(cluster.clusterName),
  };
}
