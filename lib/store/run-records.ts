import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { ProgressRecordNotFoundError, StepAlreadyRecordedError } from '../errors.js';
import { jsonDifferences, toPlainJson, type JsonObject } from '../json.js';
import { HopKind, type UpgradePlan } from '../versions/upgrade-plan.js';
import { clusterItem, type ClusterItemInput } from './cluster-item.js';
import { checkCount, checkMember, recordedError, recordedHopError } from './field-checks.js';
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
  type PlanItem,
  type RecordedError,
  type RecordedHopError,
  type RunClusterRecords,
  type RunItem,
  type SnapshotItem,
} from './progress-items.js';
import { canonicalTimestamp, checkHopIndex, checkRunId, clusterKeyOf, keys, parseClusterKey } from './progress-keys.js';
import type { Attributes, StoredItem, TableAccess } from './table-access.js';

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
export type NewCluster = Omit<ClusterItemInput, 'error'>;

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

/** The records of runs, their clusters, snapshots, plans and hops; part of ProgressStore. */
export interface RunRecords {
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
   * One cluster's records within a run (cluster, snapshot, plan, hops), or null when the run never had
   * it: the per-entry read behind a cluster's history, without reading the whole run.
   *
   * @example
   * const records = await store.getRunCluster(runId, '111122223333/us-east-1/prod'); // records?.hops.length
   */
  getRunCluster(runId: string, clusterKey: string): Promise<RunClusterRecords | null>;
  /**
   * Closes a cluster that has not ended (PENDING or RUNNING) as ABORTED with `error`, e.g. after its execution was
   * stopped. A cluster that already ended keeps its outcome.
   *
   * @returns the aborted record, or null when the cluster had ended (or was never added to the run)
   * @example
   * await store.abortCluster(runId, clusterKey, { name: 'ExecutionAborted', message: 'stopped from the console' });
   */
  abortCluster(runId: string, clusterKey: string, error: RecordedError): Promise<ClusterItem | null>;
}

const RunEndStatus = { SUCCEEDED: RunStatus.SUCCEEDED, FAILED: RunStatus.FAILED, HALTED: RunStatus.HALTED, ABORTED: RunStatus.ABORTED } as const;

/** The run, cluster and hop records over the progress table. */
export function runRecords(table: TableAccess): RunRecords {
  const { doc, tableName, clock, expiresAtFrom, getItem, asItem, createOnce, updateIf, queryAll } = table;

  /** The keys of a cluster's write-once document (its snapshot or its plan). */
  const clusterDocument = <T extends ItemType>(runId: string, clusterKey: string, sk: (clusterKey: string) => string, type: T) => {
    parseClusterKey(clusterKey);
    return { pk: keys.runPk(checkRunId(runId)), sk: sk(clusterKey), type, expiresAt: expiresAtFrom(clock()), runId, clusterKey };
  };

  /** Writes a cluster's document once; a replay returns it, one that differs is refused, naming what differs. */
  const writeOnce = <T extends SnapshotItem | PlanItem>(item: T, body: (item: T) => object, refusal: (differences: string) => string): Promise<T> =>
    createOnce(item, (stored) => {
      const differences = jsonDifferences(body(stored), body(item));
      if (differences.length > 0) throw new StepAlreadyRecordedError(item.type, item.pk, item.sk, refusal(differences.join(', ')));
      return stored;
    });

  return {
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
      const pages = paginateScan({ client: doc }, { TableName: tableName, FilterExpression: 'sk = :run', ExpressionAttributeValues: { ':run': keys.runSk }, ConsistentRead: true });
      for await (const page of pages) for (const item of page.Items ?? []) runs.push(asItem<RunItem>(item, ItemType.RUN));
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
      const item: SnapshotItem = { ...clusterDocument(runId, clusterKey, keys.snapshotSk, ItemType.SNAPSHOT), snapshot: toPlainJson(snapshot) };
      return writeOnce(item, (i) => i.snapshot, (differences) => `the stored snapshot differs in ${differences}; a snapshot is never overwritten`);
    },

    async putPlan(runId, clusterKey, plan) {
      const item: PlanItem = { ...clusterDocument(runId, clusterKey, keys.planSk, ItemType.PLAN), plan: toPlainJson(plan) };
      return writeOnce(item, (i) => i.plan, (differences) => `the stored plan differs in ${differences}`);
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

  };
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
