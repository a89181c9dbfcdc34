import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InputValidationError } from '../errors.js';
import { clusterLock, type ClusterLock } from './cluster-lock.js';
import { controlRecords, type ControlRecords } from './control-records.js';
import { fleetRecords, type FleetRecords } from './fleet-records.js';
import { historyQueries, type HistoryQueries } from './history-queries.js';
import { runRecords, type RunRecords } from './run-records.js';
import { tableAccess } from './table-access.js';

export * from './progress-items.js';
export type { ClusterUpdate, HopUpdate, NewCluster, NewHop, NewRun, RunEnd } from './run-records.js';
export type { HistoryOptions } from './history-queries.js';

/** What `createProgressStore` needs. */
export interface ProgressStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Days an item is kept after its last write (the `expiresAt` TTL attribute); 400 by default. */
  readonly retentionDays?: number;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  /**
   * `Limit` of each Query page. Absent, DynamoDB pages by its 1 MB limit; a small value makes every
   * query paginate, which the tests use.
   */
  readonly pageSize?: number;
}

/**
 * The progress log of fleet runs in one DynamoDB table (docs/progress-table.md). Every write is safe
 * to repeat: Step Functions retries a task whose Lambda failed after its write succeeded, so a replay
 * returns the stored record instead of adding a second one, and only a write that disagrees with what
 * is stored fails (`StepAlreadyRecordedError`).
 */
export interface ProgressStore extends RunRecords, HistoryQueries, ClusterLock, FleetRecords, ControlRecords {}

const DEFAULT_RETENTION_DAYS = 400;
const SECONDS_PER_DAY = 86_400;

/**
 * Builds the progress store over a DynamoDBDocumentClient and the progress table.
 *
 * @example
 * const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1' }));
 * const store = createProgressStore({ doc, tableName: 'cni-fleet-progress' });
 * await store.putRun({ runId: 'run-1', input: {}, trigger: 'cli' });
 */
export function createProgressStore(options: ProgressStoreOptions): ProgressStore {
  const { doc, tableName } = options;
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  if (!(Number.isFinite(retentionDays) && retentionDays > 0)) {
    throw new InputValidationError('retentionDays', `${String(retentionDays)} must be a positive number`);
  }
  const clock = options.now ?? (() => new Date());
  /** TTL: `retentionDays` after this write, in epoch seconds (the unit DynamoDB TTL reads). */
  const expiresAtFrom = (now: Date): number => Math.floor(now.getTime() / 1000) + Math.round(retentionDays * SECONDS_PER_DAY);
  const table = tableAccess({ doc, tableName, clock, expiresAtFrom, pageSize: options.pageSize });
  return {
    ...fleetRecords(table),
    ...controlRecords(table),
    ...runRecords(table),
    ...historyQueries(table),
    ...clusterLock(table),
  };
}
