import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  InputValidationError,
  LockHeldError,
  LockLostError,
  ProgressRecordNotFoundError,
  ProgressTableMismatchError,
  StepAlreadyRecordedError,
} from '../errors.js';
import { HopKind, type UpgradePlan } from '../versions/upgrade-plan.js';
import { isConditionalCheckFailed, setExpression } from './dynamo-helpers.js';
import { jsonDifferences, toPlainJson, type JsonObject } from '../json.js';
import {
  ClusterStatus,
  HopOutcome,
  ItemType,
  RunStatus,
  RunTrigger,
  isFinalClusterStatus,
  type AddonSnapshot,
  type ClusterItem,
  type HealthIssue,
  type HopItem,
  type HopRollout,
  type LockItem,
  type PlanItem,
  type RecordedError,
  type RecordedHopError,
  type RunClusterRecords,
  type RunItem,
  type SnapshotItem,
} from './progress-items.js';
import { canonicalTimestamp, checkClusterName, checkHopIndex, checkRunId, clusterKeyOf, keys, parseClusterKey } from './progress-keys.js';
import { ProgressIndex } from './table-definition.js';
import { clusterItem } from './cluster-item.js';
import { fleetRecords, type FleetRecords } from './fleet-records.js';
import { controlRecords, type ControlRecords } from './control-records.js';

export * from './progress-items.js';

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

/** A new run. `startedAt` defaults to now. */
export interface NewRun {
  readonly runId: string;
  readonly input: JsonObject;
  readonly trigger: RunTrigger;
  readonly startedAt?: string | Date;
}

/** How a run ended. */
export interface RunEnd {
  readonly status: Exclude<RunStatus, typeof RunStatus.RUNNING>;
  readonly summary: JsonObject;
}

/** A cluster joining a run. Status PENDING, no hops and no step by default. */
export interface NewCluster {
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
  readonly status?: ClusterStatus;
  readonly step?: string | null;
  readonly from?: string | null;
  readonly target?: string | null;
  readonly hopCount?: number;
  readonly startedAt?: string | Date;
}

/**
 * The attributes a step changes on its cluster; absent ones are left as they are. A final status
 * sets `endedAt` to now unless it is given.
 */
export interface ClusterUpdate {
  readonly status?: ClusterStatus;
  readonly step?: string | null;
  readonly from?: string | null;
  readonly target?: string | null;
  readonly hopCount?: number;
  readonly hopsDone?: number;
  readonly currentHop?: number | null;
  readonly error?: RecordedError | null;
  /** Replaces the cluster's warnings (one writer: TakeSnapshot's pre-flight). */
  readonly warnings?: readonly string[];
  readonly endedAt?: string | Date | null;
  /** The cluster's maintenance window and its earliest start (TakeSnapshot, a dry run). */
  readonly window?: ClusterItem['window'];
  /** The hop this run rolls back (PlanUpgrade of a rollback). */
  readonly rollback?: ClusterItem['rollback'];
}

/** A hop being started: the UpdateAddon (or CreateAddon) call has been made and returned `updateId`. */
export interface NewHop {
  readonly index: number;
  readonly fromVersion: string;
  readonly version: string;
  readonly kind: HopKind;
  readonly updateId: string | null;
  readonly startedAt?: string | Date;
}

/** A poll's or the end's change to a hop. A final outcome sets `endedAt` to now unless it is given. */
export interface HopUpdate {
  readonly polls?: number;
  readonly outcome?: HopOutcome;
  readonly error?: RecordedHopError | null;
  readonly healthIssues?: readonly HealthIssue[];
  readonly rollout?: HopRollout;
  readonly warnings?: readonly string[];
  readonly endedAt?: string | Date | null;
}

/** How many history entries to return. */
export interface HistoryOptions {
  /** 20 by default, at most 1000. */
  readonly limit?: number;
}

/**
 * The progress log of fleet runs in one DynamoDB table (docs/progress-table.md). Every write is safe
 * to repeat: Step Functions retries a task whose Lambda failed after its write succeeded, so a replay
 * returns the stored record instead of adding a second one, and only a write that disagrees with what
 * is stored fails (`StepAlreadyRecordedError`).
 */
export interface ProgressStore extends FleetRecords, ControlRecords {
  /**
   * Records a run as RUNNING. A replay with the same input and trigger returns the stored run.
   *
   * @throws StepAlreadyRecordedError when the run id is taken by a run with another input or trigger
   * @example
   * await store.putRun({ runId: 'nightly-2026-11-22', input: { clusters: [] }, trigger: 'schedule' });
   */
  putRun(run: NewRun): Promise<RunItem>;
  /**
   * @returns the run, or null when there is none
   * @example
   * const run = await store.getRun('nightly-2026-11-22'); // run?.status === 'RUNNING'
   */
  getRun(runId: string): Promise<RunItem | null>;
  /**
   * Every run in the table, newest first: a Scan of the whole table, meant for a rehearsal's local log (a few
   * thousand items). A deployed table lists its runs through Step Functions (ListExecutions) instead.
   *
   * @example
   * (await store.listRuns()).map((r) => `${r.runId} ${r.status}`)
   */
  listRuns(): Promise<RunItem[]>;
  /**
   * Ends a run with its summary. Repeating it with the same status returns the stored run unchanged.
   *
   * @throws ProgressRecordNotFoundError when there is no such run
   * @throws StepAlreadyRecordedError when the run already ended with another status
   * @example
   * await store.finishRun('nightly-2026-11-22', { status: 'SUCCEEDED', summary: { upgraded: 3, failed: 0 } });
   */
  finishRun(runId: string, end: RunEnd): Promise<RunItem>;
  /**
   * Adds a cluster to a run. When it is already there (a replay, or a later retry after steps have
   * moved it on) the stored record is returned untouched, so progress is never reset.
   *
   * @example
   * await store.putCluster('nightly-2026-11-22', { accountId: '111122223333', region: 'us-east-1', clusterName: 'prod' });
   */
  putCluster(runId: string, cluster: NewCluster): Promise<ClusterItem>;
  /**
   * @returns the cluster's record in the run, or null
   * @example
   * await store.getCluster('nightly-2026-11-22', '111122223333/us-east-1/prod');
   */
  getCluster(runId: string, clusterKey: string): Promise<ClusterItem | null>;
  /**
   * Changes only the given attributes (an UpdateItem), so steps that write at the same time, such as a
   * poll and a heartbeat, do not undo each other's changes.
   *
   * @returns the record after the change
   * @throws ProgressRecordNotFoundError when the cluster was never added to the run
   * @example
   * await store.updateCluster(runId, clusterKey, { status: 'RUNNING', step: 'PollHop', currentHop: 2 });
   */
  updateCluster(runId: string, clusterKey: string, update: ClusterUpdate): Promise<ClusterItem>;
  /**
   * Records the add-on as it was before the first change. Written once: a replay with equal content
   * returns the stored snapshot.
   *
   * @throws StepAlreadyRecordedError when a different snapshot is stored
   * @example
   * await store.putSnapshot(runId, clusterKey, { addonVersion: 'v1.15.1-eksbuild.1', configurationValues: null,
   *   serviceAccountRoleArn: null, podIdentityAssociations: [], kubernetesVersion: '1.29', takenAt: new Date().toISOString() });
   */
  putSnapshot(runId: string, clusterKey: string, snapshot: AddonSnapshot): Promise<SnapshotItem>;
  /**
   * Records the cluster's upgrade plan. Written once, like the snapshot.
   *
   * @throws StepAlreadyRecordedError when a different plan is stored
   * @example
   * await store.putPlan(runId, clusterKey, planUpgrade(...));
   */
  putPlan(runId: string, clusterKey: string, plan: UpgradePlan): Promise<PlanItem>;
  /**
   * Records a hop as IN_PROGRESS. A replay (same update id, versions and kind) returns the stored hop,
   * so a retried task never records a hop twice.
   *
   * @throws StepAlreadyRecordedError when the hop is stored with another update id or versions
   * @example
   * await store.startHop(runId, clusterKey, { index: 1, fromVersion: 'v1.15.1-eksbuild.1', version: 'v1.16.4-eksbuild.2', kind: 'minor', updateId });
   */
  startHop(runId: string, clusterKey: string, hop: NewHop): Promise<HopItem>;
  /**
   * One hop of a cluster in a run (a consistent GetItem), so a retried ApplyHop can see that its first attempt
   * already started the hop.
   *
   * @returns the hop, or null when it was never started
   * @example
   * const hop = await store.getHop(runId, clusterKey, 2); // hop?.updateId === '…'
   */
  getHop(runId: string, clusterKey: string, index: number): Promise<HopItem | null>;
  /**
   * Records a poll or the end of a hop. Only an IN_PROGRESS hop changes; repeating the final write
   * (same outcome) returns the stored hop unchanged.
   *
   * @throws ProgressRecordNotFoundError when the hop was never started
   * @throws StepAlreadyRecordedError when the hop already ended with another outcome
   * @example
   * await store.updateHop(runId, clusterKey, 1, { polls: 7, outcome: 'SUCCEEDED' });
   */
  updateHop(runId: string, clusterKey: string, index: number, update: HopUpdate): Promise<HopItem>;
  /**
   * Every cluster of a run with its snapshot, plan and hops, in cluster-key order; reads all pages.
   *
   * @example
   * for (const { cluster, hops } of await store.listRunClusters(runId)) console.log(cluster?.status, hops.length);
   */
  listRunClusters(runId: string): Promise<RunClusterRecords[]>;
  /**
   * A cluster's records across runs, newest first. Takes a cluster key, or a bare cluster name (a key
   * always contains `/`, a name never does) to search every account and region.
   *
   * @example
   * await store.clusterHistory('111122223333/us-east-1/prod', { limit: 5 });
   */
  clusterHistory(clusterKeyOrName: string, options?: HistoryOptions): Promise<ClusterItem[]>;
  /**
   * One cluster's records within a run (cluster, snapshot, plan, hops), or null when the run never had
   * it: the per-entry read behind a cluster's history, without reading the whole run.
   *
   * @example
   * const records = await store.getRunCluster(runId, '111122223333/us-east-1/prod'); // records?.hops.length
   */
  getRunCluster(runId: string, clusterKey: string): Promise<RunClusterRecords | null>;
  /**
   * The records of every cluster with this name, in any account or region, newest first (the
   * `byClusterName` index, no scan).
   *
   * @example
   * await store.clusterHistoryByName('prod');
   */
  clusterHistoryByName(clusterName: string, options?: HistoryOptions): Promise<ClusterItem[]>;
  /**
   * Closes a cluster that has not ended (PENDING or RUNNING) as ABORTED with `error`, e.g. after its execution was
   * stopped. A cluster that already ended keeps its outcome.
   *
   * @returns the aborted record, or null when the cluster had ended (or was never added to the run)
   * @example
   * await store.abortCluster(runId, clusterKey, { name: 'ExecutionAborted', message: 'stopped from the console' });
   */
  abortCluster(runId: string, clusterKey: string, error: RecordedError): Promise<ClusterItem | null>;
  /**
   * Takes the cluster's lock for `ttlSeconds`: when it is free, expired (its holder crashed) or already
   * held by `owner` (re-entrant; the expiry moves on). `runId` is recorded with it, so a run's cleanup can tell
   * its own locks from another run's.
   *
   * @throws LockHeldError when another owner holds an unexpired lock
   * @example
   * await store.acquireLock(clusterKey, executionArn, 3600, new Date(), 'weekly-dev');
   */
  acquireLock(clusterKey: string, owner: string, ttlSeconds: number, now?: Date, runId?: string | null): Promise<LockItem>;
  /**
   * Every lock `owner` holds, expired or not (the `byCluster` index under `LOCKOWNER#<owner>`; no scan). The index
   * is eventually consistent: a lock taken a moment ago may be missing, so a cleanup releases conditionally.
   *
   * @example
   * for (const lock of await store.locksOwnedBy(executionArn)) await store.releaseLock(lock.clusterKey, lock.owner);
   */
  locksOwnedBy(owner: string): Promise<LockItem[]>;
  /**
   * Moves the expiry of a lock that `owner` still holds.
   *
   * @throws LockLostError when the lock was released or taken over
   * @example
   * await store.renewLock(clusterKey, executionArn, 3600);
   */
  renewLock(clusterKey: string, owner: string, ttlSeconds: number, now?: Date): Promise<LockItem>;
  /**
   * Releases the lock if `owner` holds it.
   *
   * @returns false (not an error) when the lock is gone or held by someone else: a cleanup step may run twice
   * @example
   * await store.releaseLock(clusterKey, executionArn); // true
   */
  releaseLock(clusterKey: string, owner: string): Promise<boolean>;
  /**
   * @returns the lock, expired or not, or null when there is none
   * @example
   * const lock = await store.getLock(clusterKey); // lock?.owner
   */
  getLock(clusterKey: string): Promise<LockItem | null>;
}

const RunEndStatus = { SUCCEEDED: RunStatus.SUCCEEDED, FAILED: RunStatus.FAILED, HALTED: RunStatus.HALTED, ABORTED: RunStatus.ABORTED } as const;
const DEFAULT_RETENTION_DAYS = 400;
const DEFAULT_HISTORY_LIMIT = 20;
const MAX_HISTORY_LIMIT = 1000;
const SECONDS_PER_DAY = 86_400;

type Attributes = Record<string, NativeAttributeValue>;
type StoredItem = RunItem | ClusterItem | SnapshotItem | PlanItem | HopItem | LockItem;

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
  const pageSize = options.pageSize;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
    throw new InputValidationError('pageSize', `${String(pageSize)} must be a positive integer`);
  }
  const clock = options.now ?? (() => new Date());

  /** TTL: `retentionDays` after this write, in epoch seconds (the unit DynamoDB TTL reads). */
  const expiresAtFrom = (now: Date): number => Math.floor(now.getTime() / 1000) + Math.round(retentionDays * SECONDS_PER_DAY);

  async function getItem<T extends StoredItem>(pk: string, sk: string, type: T['type']): Promise<T | null> {
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk, sk }, ConsistentRead: true }));
    return Item === undefined ? null : asItem<T>(Item, type);
  }

  function asItem<T extends StoredItem>(raw: Attributes, type: T['type']): T {
    if (raw['type'] !== type) {
      throw new ProgressTableMismatchError(tableName, `item ${String(raw['pk'])} ${String(raw['sk'])} has type ${String(raw['type'])}, expected ${type}`);
    }
    return raw as T;
  }

  /**
   * Writes `item` unless its key exists. On a conflict the stored item goes to `onStored`, which
   * returns it (a replay) or throws (a different record).
   */
  async function createOnce<T extends StoredItem>(item: T, onStored: (stored: T) => T): Promise<T> {
    const plain = toPlainJson(item);
    // Bounded: the stored item can only vanish between our two calls through a concurrent delete.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...plain },
            ConditionExpression: 'attribute_not_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk' },
          }),
        );
        return plain;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const stored = await getItem<T>(plain.pk, plain.sk, plain.type);
      if (stored !== null) return onStored(stored);
      if (attempt >= 3) throw new StepAlreadyRecordedError(plain.type, plain.pk, plain.sk, 'the record kept appearing and disappearing');
    }
  }

  /** UpdateItem with `ReturnValues: ALL_NEW`; null when the condition failed. */
  async function updateIf<T extends StoredItem>(
    key: { pk: string; sk: string; type: T['type'] },
    set: Attributes,
    condition: Condition,
  ): Promise<T | null> {
    const update = setExpression(toPlainJson(set));
    try {
      const { Attributes: attributes } = await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: key.pk, sk: key.sk },
          UpdateExpression: update.expression,
          ConditionExpression: condition.expression,
          // Condition placeholders are named (#pk, :owner …) and never clash with SET's #s0/:s0.
          ExpressionAttributeNames: { ...update.names, ...condition.names },
          ExpressionAttributeValues: { ...update.values, ...condition.values },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return attributes === undefined ? null : asItem<T>(attributes, key.type);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return null;
      throw error;
    }
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>, maxItems = Number.POSITIVE_INFINITY): Promise<Attributes[]> {
    const items: Attributes[] = [];
    let startKey: Attributes | undefined;
    do {
      const wanted = Math.min(pageSize ?? Number.POSITIVE_INFINITY, maxItems - items.length);
      const page = await doc.send(
        new QueryCommand({
          ...input,
          TableName: tableName,
          ...(Number.isFinite(wanted) ? { Limit: wanted } : {}),
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && items.length < maxItems);
    return items;
  }

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
    ...fleetRecords({ doc, tableName, clock, expiresAtFrom }),
    ...controlRecords({ doc, tableName, clock, expiresAtFrom }),
    async putRun(run) {
      const runId = checkRunId(run.runId);
      checkMember(RunTrigger, run.trigger, 'trigger');
      const now = clock();
      const item: RunItem = {
        pk: keys.runPk(runId),
        sk: keys.runSk,
        type: ItemType.RUN,
        expiresAt: expiresAtFrom(now),
        runId,
        startedAt: canonicalTimestamp(run.startedAt ?? now, 'startedAt'),
        endedAt: null,
        input: run.input,
        status: RunStatus.RUNNING,
        summary: null,
        trigger: run.trigger,
      };
      return createOnce(item, (stored) => {
        const differences = jsonDifferences({ input: stored.input, trigger: stored.trigger }, toPlainJson({ input: item.input, trigger: item.trigger }));
        if (differences.length > 0) throw new StepAlreadyRecordedError(ItemType.RUN, item.pk, item.sk, `a run with another ${differences.join(' and ')} has this id`);
        return stored;
      });
    },

    async getRun(runId) {
      return getItem<RunItem>(keys.runPk(checkRunId(runId)), keys.runSk, ItemType.RUN);
    },

    async listRuns() {
      const runs: RunItem[] = [];
      let ExclusiveStartKey: Attributes | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: 'sk = :run',
            ExpressionAttributeValues: { ':run': keys.runSk },
            ConsistentRead: true,
            ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
          }),
        );
        for (const item of page.Items ?? []) runs.push(asItem<RunItem>(item, ItemType.RUN));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.runId.localeCompare(b.runId));
    },

    async finishRun(runId, end) {
      const pk = keys.runPk(checkRunId(runId));
      checkMember(RunEndStatus, end.status, 'status');
      const now = clock();
      const updated = await updateIf<RunItem>(
        { pk, sk: keys.runSk, type: ItemType.RUN },
        { status: end.status, summary: end.summary, endedAt: now.toISOString(), expiresAt: expiresAtFrom(now) },
        { expression: 'attribute_exists(#pk) AND #status = :running', names: { '#pk': 'pk', '#status': 'status' }, values: { ':running': RunStatus.RUNNING } },
      );
      if (updated !== null) return updated;
      const stored = await getItem<RunItem>(pk, keys.runSk, ItemType.RUN);
      if (stored === null) throw new ProgressRecordNotFoundError(ItemType.RUN, pk, keys.runSk);
      if (stored.status === end.status) return stored;
      throw new StepAlreadyRecordedError(ItemType.RUN, pk, keys.runSk, `the run already ended as ${stored.status}`);
    },

    async putCluster(runId, cluster) {
      checkRunId(runId);
      clusterKeyOf(cluster);
      const status = cluster.status ?? ClusterStatus.PENDING;
      checkMember(ClusterStatus, status, 'status');
      const now = clock();
      checkCount(cluster.hopCount ?? 0, 'hopCount');
      const item = clusterItem(runId, { ...cluster, status }, now, expiresAtFrom(now));
      return createOnce(item, (stored) => stored);
    },

    async getCluster(runId, clusterKey) {
      parseClusterKey(clusterKey);
      return getItem<ClusterItem>(keys.runPk(checkRunId(runId)), keys.clusterSk(clusterKey), ItemType.CLUSTER);
    },

    async updateCluster(runId, clusterKey, update) {
      const pk = keys.runPk(checkRunId(runId));
      parseClusterKey(clusterKey);
      const sk = keys.clusterSk(clusterKey);
      const now = clock();
      const set: Attributes = { updatedAt: now.toISOString(), expiresAt: expiresAtFrom(now) };
      if (update.status !== undefined) set['status'] = checkMember(ClusterStatus, update.status, 'status');
      if (update.step !== undefined) set['step'] = update.step;
      if (update.from !== undefined) set['from'] = update.from;
      if (update.target !== undefined) set['target'] = update.target;
      if (update.hopCount !== undefined) set['hopCount'] = checkCount(update.hopCount, 'hopCount');
      // hopsDone is SET, never ADDed: a retried step writes the same number again instead of counting twice.
      if (update.hopsDone !== undefined) set['hopsDone'] = checkCount(update.hopsDone, 'hopsDone');
      if (update.currentHop !== undefined) set['currentHop'] = update.currentHop === null ? null : checkHopIndex(update.currentHop);
      if (update.error !== undefined) set['error'] = recordedError(update.error);
      if (update.window !== undefined) set['window'] = update.window === null ? null : { ...update.window };
      if (update.rollback !== undefined) set['rollback'] = update.rollback === null ? null : { ...update.rollback };
      if (update.warnings !== undefined) set['warnings'] = [...update.warnings];
      if (update.endedAt !== undefined) set['endedAt'] = update.endedAt === null ? null : canonicalTimestamp(update.endedAt, 'endedAt');
      else if (update.status !== undefined && isFinalClusterStatus(update.status)) set['endedAt'] = now.toISOString();
      const updated = await updateIf<ClusterItem>({ pk, sk, type: ItemType.CLUSTER }, set, { expression: 'attribute_exists(#pk)', names: { '#pk': 'pk' } });
      if (updated === null) throw new ProgressRecordNotFoundError(ItemType.CLUSTER, pk, sk);
      return updated;
    },

    async abortCluster(runId, clusterKey, error) {
      const pk = keys.runPk(checkRunId(runId));
      parseClusterKey(clusterKey);
      const now = clock();
      // Only an open record: an outcome already recorded (by the workflow, or by an earlier cleanup) stays.
      return updateIf<ClusterItem>(
        { pk, sk: keys.clusterSk(clusterKey), type: ItemType.CLUSTER },
        { status: ClusterStatus.ABORTED, error: recordedError(error), currentHop: null, endedAt: now.toISOString(), updatedAt: now.toISOString(), expiresAt: expiresAtFrom(now) },
        {
          expression: 'attribute_exists(#pk) AND #status IN (:pending, :running)',
          names: { '#pk': 'pk', '#status': 'status' },
          values: { ':pending': ClusterStatus.PENDING, ':running': ClusterStatus.RUNNING },
        },
      );
    },

    async putSnapshot(runId, clusterKey, snapshot) {
      parseClusterKey(clusterKey);
      const now = clock();
      const item: SnapshotItem = {
        pk: keys.runPk(checkRunId(runId)),
        sk: keys.snapshotSk(clusterKey),
        type: ItemType.SNAPSHOT,
        expiresAt: expiresAtFrom(now),
        runId,
        clusterKey,
        snapshot: toPlainJson(snapshot),
      };
      return createOnce(item, (stored) => {
        const differences = jsonDifferences(stored.snapshot, item.snapshot);
        if (differences.length > 0) {
          throw new StepAlreadyRecordedError(ItemType.SNAPSHOT, item.pk, item.sk, `the stored snapshot differs in ${differences.join(', ')}; a snapshot is never overwritten`);
        }
        return stored;
      });
    },

    async putPlan(runId, clusterKey, plan) {
      parseClusterKey(clusterKey);
      const now = clock();
      const item: PlanItem = {
        pk: keys.runPk(checkRunId(runId)),
        sk: keys.planSk(clusterKey),
        type: ItemType.PLAN,
        expiresAt: expiresAtFrom(now),
        runId,
        clusterKey,
        plan: toPlainJson(plan),
      };
      return createOnce(item, (stored) => {
        const differences = jsonDifferences(stored.plan, item.plan);
        if (differences.length > 0) throw new StepAlreadyRecordedError(ItemType.PLAN, item.pk, item.sk, `the stored plan differs in ${differences.join(', ')}`);
        return stored;
      });
    },

    async startHop(runId, clusterKey, hop) {
      parseClusterKey(clusterKey);
      const index = checkHopIndex(hop.index);
      checkMember(HopKind, hop.kind, 'kind');
      const now = clock();
      const item: HopItem = {
        pk: keys.runPk(checkRunId(runId)),
        sk: keys.hopSk(clusterKey, index),
        type: ItemType.HOP,
        expiresAt: expiresAtFrom(now),
        runId,
        clusterKey,
        index,
        fromVersion: hop.fromVersion,
        version: hop.version,
        kind: hop.kind,
        updateId: hop.updateId,
        startedAt: canonicalTimestamp(hop.startedAt ?? now, 'startedAt'),
        endedAt: null,
        polls: 0,
        outcome: HopOutcome.IN_PROGRESS,
        error: null,
        healthIssues: [],
      };
      return createOnce(item, (stored) => {
        const identity = (h: HopItem) => ({ updateId: h.updateId, fromVersion: h.fromVersion, version: h.version, kind: h.kind });
        const differences = jsonDifferences(identity(stored), identity(item));
        if (differences.length > 0) {
          throw new StepAlreadyRecordedError(ItemType.HOP, item.pk, item.sk, `hop ${index} is recorded with another ${differences.join(', ')}`);
        }
        return stored;
      });
    },

    async getHop(runId, clusterKey, index) {
      parseClusterKey(clusterKey);
      return getItem<HopItem>(keys.runPk(checkRunId(runId)), keys.hopSk(clusterKey, checkHopIndex(index)), ItemType.HOP);
    },

    async updateHop(runId, clusterKey, index, update) {
      const pk = keys.runPk(checkRunId(runId));
      parseClusterKey(clusterKey);
      const sk = keys.hopSk(clusterKey, checkHopIndex(index));
      const now = clock();
      const set: Attributes = { expiresAt: expiresAtFrom(now) };
      if (update.polls !== undefined) set['polls'] = checkCount(update.polls, 'polls');
      if (update.outcome !== undefined) set['outcome'] = checkMember(HopOutcome, update.outcome, 'outcome');
      if (update.error !== undefined) set['error'] = recordedHopError(update.error);
      if (update.healthIssues !== undefined) set['healthIssues'] = update.healthIssues;
      if (update.rollout !== undefined) set['rollout'] = update.rollout;
      if (update.warnings !== undefined) set['warnings'] = [...update.warnings];
      if (update.endedAt !== undefined) set['endedAt'] = update.endedAt === null ? null : canonicalTimestamp(update.endedAt, 'endedAt');
      else if (update.outcome !== undefined && update.outcome !== HopOutcome.IN_PROGRESS) set['endedAt'] = now.toISOString();
      // Only an IN_PROGRESS hop changes: an ended hop is history, and a replayed end must not move endedAt.
      const updated = await updateIf<HopItem>({ pk, sk, type: ItemType.HOP }, set, {
        expression: 'attribute_exists(#pk) AND #outcome = :inProgress',
        names: { '#pk': 'pk', '#outcome': 'outcome' },
        values: { ':inProgress': HopOutcome.IN_PROGRESS },
      });
      if (updated !== null) return updated;
      const stored = await getItem<HopItem>(pk, sk, ItemType.HOP);
      if (stored === null) throw new ProgressRecordNotFoundError(ItemType.HOP, pk, sk);
      if (update.outcome !== undefined && stored.outcome === update.outcome) return stored;
      throw new StepAlreadyRecordedError(ItemType.HOP, pk, sk, `hop ${index} already ended as ${stored.outcome}`);
    },

    async listRunClusters(runId) {
      const items = await queryAll({
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': keys.runPk(checkRunId(runId)), ':prefix': keys.clusterPrefix },
        ConsistentRead: true,
      });
      return groupByCluster(items);
    },

    async clusterHistory(clusterKeyOrName, options = {}) {
      if (typeof clusterKeyOrName === 'string' && !clusterKeyOrName.includes('/')) {
        return history(ProgressIndex.BY_CLUSTER_NAME, keys.byClusterNamePk(checkClusterName(clusterKeyOrName)), options);
      }
      parseClusterKey(clusterKeyOrName);
      return history(ProgressIndex.BY_CLUSTER, keys.byClusterPk(clusterKeyOrName), options);
    },

    async getRunCluster(runId, clusterKey) {
      parseClusterKey(clusterKey);
      // A prefix also matches a longer name (prod → prod-2); grouping by key and picking ours drops those.
      const items = await queryAll({
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': keys.runPk(checkRunId(runId)), ':prefix': keys.clusterSk(clusterKey) },
        ConsistentRead: true,
      });
      return groupByCluster(items).find((group) => group.clusterKey === clusterKey) ?? null;
    },

    async clusterHistoryByName(clusterName, options = {}) {
      return history(ProgressIndex.BY_CLUSTER_NAME, keys.byClusterNamePk(checkClusterName(clusterName)), options);
    },

    async acquireLock(clusterKey, owner, ttlSeconds, now = clock(), runId = null) {
      parseClusterKey(clusterKey);
      checkOwner(owner);
      checkTtl(ttlSeconds);
      if (runId !== null) checkRunId(runId);
      const nowSeconds = Math.floor(now.getTime() / 1000);
      const item: LockItem = {
        pk: keys.lockPk(clusterKey),
        sk: keys.lockSk,
        type: ItemType.LOCK,
        expiresAt: expiresAtFrom(now),
        clusterKey,
        owner,
        runId,
        acquiredAt: now.toISOString(),
        lockExpiresAt: nowSeconds + ttlSeconds,
        gsi1pk: keys.lockOwnerPk(owner),
        gsi1sk: keys.lockOwnerSk(clusterKey),
      };
      // Bounded retries: the lock can be released or expire between the refused put and the read.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await doc.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...item },
              // Free, expired (its holder crashed without releasing) or ours already (re-entrant).
              ConditionExpression: 'attribute_not_exists(#pk) OR #lockExpiresAt < :now OR #owner = :owner',
              ExpressionAttributeNames: { '#pk': 'pk', '#lockExpiresAt': 'lockExpiresAt', '#owner': 'owner' },
              ExpressionAttributeValues: { ':now': nowSeconds, ':owner': owner },
            }),
          );
          return item;
        } catch (error) {
          if (!isConditionalCheckFailed(error)) throw error;
        }
        const held = await getItem<LockItem>(item.pk, item.sk, ItemType.LOCK);
        const changedMeanwhile = held === null || held.lockExpiresAt < nowSeconds || held.owner === owner;
        if (!changedMeanwhile || attempt >= 3) throw new LockHeldError(clusterKey, held?.owner ?? 'unknown', held?.lockExpiresAt ?? nowSeconds);
      }
    },

    async renewLock(clusterKey, owner, ttlSeconds, now = clock()) {
      parseClusterKey(clusterKey);
      checkOwner(owner);
      checkTtl(ttlSeconds);
      const pk = keys.lockPk(clusterKey);
      const renewed = await updateIf<LockItem>(
        { pk, sk: keys.lockSk, type: ItemType.LOCK },
        { lockExpiresAt: Math.floor(now.getTime() / 1000) + ttlSeconds, expiresAt: expiresAtFrom(now) },
        { expression: '#owner = :owner', names: { '#owner': 'owner' }, values: { ':owner': owner } },
      );
      if (renewed !== null) return renewed;
      const held = await getItem<LockItem>(pk, keys.lockSk, ItemType.LOCK);
      throw new LockLostError(clusterKey, owner, held?.owner ?? null);
    },

    async releaseLock(clusterKey, owner) {
      parseClusterKey(clusterKey);
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: keys.lockPk(clusterKey), sk: keys.lockSk },
            ConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    },

    async getLock(clusterKey) {
      parseClusterKey(clusterKey);
      return getItem<LockItem>(keys.lockPk(clusterKey), keys.lockSk, ItemType.LOCK);
    },

    async locksOwnedBy(owner) {
      checkOwner(owner);
      const items = await queryAll({
        IndexName: ProgressIndex.BY_CLUSTER,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'gsi1pk' },
        ExpressionAttributeValues: { ':pk': keys.lockOwnerPk(owner) },
      });
      // The index lags the table: an entry whose lock has passed to another owner since is not this owner's.
      return items.map((item) => asItem<LockItem>(item, ItemType.LOCK)).filter((lock) => lock.owner === owner);
    },
  };
}

/** A ConditionExpression with its placeholders; DynamoDB rejects placeholders an expression does not use. */
interface Condition {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values?: Attributes;
}

/** Groups a run's items by cluster. Unknown item types are skipped so an older reader survives a newer writer. */
function groupByCluster(items: readonly Attributes[]): RunClusterRecords[] {
  const groups = new Map<string, { cluster: ClusterItem | null; snapshot: SnapshotItem | null; plan: PlanItem | null; hops: HopItem[] }>();
  for (const raw of items) {
    const item = raw as StoredItem;
    if (!('clusterKey' in item)) continue;
    let group = groups.get(item.clusterKey);
    if (group === undefined) {
      group = { cluster: null, snapshot: null, plan: null, hops: [] };
      groups.set(item.clusterKey, group);
    }
    switch (item.type) {
      case ItemType.CLUSTER:
        group.cluster = item;
        break;
      case ItemType.SNAPSHOT:
        group.snapshot = item;
        break;
      case ItemType.PLAN:
        group.plan = item;
        break;
      case ItemType.HOP:
        group.hops.push(item);
        break;
      default:
        break;
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([clusterKey, group]) => ({ clusterKey, ...group, hops: group.hops.sort((a, b) => a.index - b.index) }));
}

function checkMember<T extends string>(allowed: Readonly<Record<string, T>>, value: T, field: string): T {
  if (!Object.values(allowed).includes(value)) {
    throw new InputValidationError(field, `"${String(value)}" must be one of ${Object.values(allowed).join(', ')}`);
  }
  return value;
}

function checkCount(value: number, field: string): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new InputValidationError(field, `${String(value)} must be a whole number ≥ 0`);
  return value;
}

function checkOwner(owner: string): void {
  if (typeof owner !== 'string' || owner.length === 0) throw new InputValidationError('owner', 'must be a non-empty run id or execution ARN');
}

function checkTtl(ttlSeconds: number): void {
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) throw new InputValidationError('ttlSeconds', `${String(ttlSeconds)} must be a positive whole number`);
}

// An Error instance's name and message are not enumerable, so it would be stored as {}: copy them.
function recordedError(error: RecordedError | null): RecordedError | null {
  return error === null ? null : { name: String(error.name), message: String(error.message) };
}

function recordedHopError(error: RecordedHopError | null): RecordedHopError | null {
  if (error === null) return null;
  const copy = { name: String(error.name), message: String(error.message) };
  return typeof error.code === 'string' ? { ...copy, code: error.code } : copy;
}
