import { InputValidationError } from '../errors.js';
import { ItemType, type ClusterItem } from './progress-items.js';
import { checkClusterName, keys, parseClusterKey } from './progress-keys.js';
import type { TableAccess } from './table-access.js';
import { ProgressIndex } from './table-definition.js';

/** How many history entries to return. */
export interface HistoryOptions {
  /** 20 by default, at most 1000. */
  readonly limit?: number;
}

/** A cluster's runs across the fleet's history, newest first (the byCluster and byClusterName indexes); part of ProgressStore. */
export interface HistoryQueries {
  /**
   * A cluster's records across runs, newest first. Takes a cluster key, or a bare cluster name (a key
   * always contains `/`, a name never does) to search every account and region.
   *
   * @example
   * await store.clusterHistory('111122223333/us-east-1/prod', { limit: 5 });
   */
  clusterHistory(clusterKeyOrName: string, options?: HistoryOptions): Promise<ClusterItem[]>;
  /**
   * The records of every cluster with this name, in any account or region, newest first (the
   * `byClusterName` index, no scan).
   *
   * @example
   * await store.clusterHistoryByName('prod');
   */
  clusterHistoryByName(clusterName: string, options?: HistoryOptions): Promise<ClusterItem[]>;
}

const DEFAULT_HISTORY_LIMIT = 20;
const MAX_HISTORY_LIMIT = 1000;

/** The history queries over the progress table's indexes. */
export function historyQueries(table: TableAccess): HistoryQueries {
  const { asItem, queryAll } = table;

  async function history(indexName: ProgressIndex, partition: string, options: HistoryOptions): Promise<ClusterItem[]> {
    const limit = options.limit ?? DEFAULT_HISTORY_LIMIT;
    if (!(Number.isInteger(limit) && limit > 0 && limit <= MAX_HISTORY_LIMIT)) {
      throw new InputValidationError('limit', `${String(limit)} must be an integer from 1 to ${MAX_HISTORY_LIMIT}`);
    }
    const items = await queryAll(
      {
        IndexName: indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': indexName === ProgressIndex.BY_CLUSTER ? 'gsi1pk' : 'gsi2pk' },
        ExpressionAttributeValues: { ':pk': partition },
        // gsi1sk starts with the ISO start time, so descending key order is newest first.
        ScanIndexForward: false,
      },
      limit,
    );
    return items.map((item) => asItem<ClusterItem>(item, ItemType.CLUSTER));
  }

  return {
    async clusterHistory(clusterKeyOrName, options = {}) {
      if (typeof clusterKeyOrName === 'string' && !clusterKeyOrName.includes('/')) {
        return history(ProgressIndex.BY_CLUSTER_NAME, keys.byClusterNamePk(checkClusterName(clusterKeyOrName)), options);
      }
      parseClusterKey(clusterKeyOrName);
      return history(ProgressIndex.BY_CLUSTER, keys.byClusterPk(clusterKeyOrName), options);
    },

    async clusterHistoryByName(clusterName, options = {}) {
      return history(ProgressIndex.BY_CLUSTER_NAME, keys.byClusterNamePk(checkClusterName(clusterName)), options);
    },

  };
}
