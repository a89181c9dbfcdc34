import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  paginateQuery,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { InputValidationError } from '../errors.js';
import type { Lane, LaneEntry, ListedCluster } from '../fleet/lanes.js';
import { LIST_PART_SIZE, pages } from '../fleet/lanes.js';
import { clusterItem, type ClusterItemInput } from './cluster-item.js';
import { isConditionalCheckFailed } from './dynamo-helpers.js';
import type { ClusterItem, ClusterStatus } from './progress-items.js';
import { checkRunId, keys } from './progress-keys.js';
import { toPlainJson } from '../json.js';
import type { RunControl } from './control-records.js';

/** Where a run halted: before a wave (its index and name), or during one (index DURING_WAVES), and why. */
export interface RunHalt {
  readonly wave: number;
  readonly name: string;
  readonly reason: string;
}

type Attributes = Record<string, NativeAttributeValue>;

/**
 * The fleet workflow's records beside the runs' (docs/progress-table.md, "Fleet records"): a stored cluster list,
 * the lanes, each lane's clusters per wave, the waves in order, and the run's counters. The workflow's state
 * carries only lane numbers; everything sized by the fleet lives here.
 */
export const FleetItemType = { REQUEST: 'REQUEST', LANE: 'LANE', LANE_NAMES: 'LANENAMES', MEMBERS: 'MEMBERS', WAVE: 'WAVE' } as const;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
/** Wave names are tag values; encoded so a key can always be split again. */
const waveKey = (wave: string): string => encodeURIComponent(wave);

export const fleetKeys = {
  requestSk: (part: number) => `REQUEST#${pad(part, 4)}`,
  requestPrefix: 'REQUEST#',
  laneSk: (lane: number) => `LANE#${pad(lane, 5)}`,
  laneNamesSk: (lane: number, part: number) => `LANENAMES#${pad(lane, 5)}#${pad(part, 4)}`,
  laneNamesPrefix: (lane: number) => `LANENAMES#${pad(lane, 5)}#`,
  membersSk: (wave: string, lane: number, part: number) => `MEMBERS#${waveKey(wave)}#${pad(lane, 5)}#${pad(part, 4)}`,
  membersPrefix: 'MEMBERS#',
  waveSk: (index: number) => `WAVE#${pad(index, 5)}`,
} as const;

/**
 * Clusters per page of a lane's wave: the lane child holds one page in its state, and 200 clusters with the
 * longest names and roles stay under 90 KB of the 256 KiB a state may hold.
 */
export const MEMBERS_PAGE_SIZE = 200;
// BatchWriteItem takes 25 requests, BatchGetItem 100 keys (DynamoDB API reference).
const WRITE_BATCH = 25;
const GET_BATCH = 100;
const BATCH_ATTEMPTS = 8;

/** A cluster of a lane's wave, longest expected upgrade first (what the lane child starts). */
export interface WaveMember {
  readonly name: string;
  readonly roleArn?: string | undefined;
  readonly expectedHops: number;
}

/** One wave as IndexWaves ordered it. */
export interface WaveRecord {
  readonly index: number;
  readonly name: string;
  readonly lanes: number[];
  readonly clusters: number;
}

/** A stored lane, with its explicit entries (absent for a selector's lane). */
export interface LaneRecord {
  readonly lane: Lane;
  readonly entries: LaneEntry[] | null;
  readonly discovered: boolean;
}

/** The run's counters (atomic updates by the lane children): outcome names and the fleet's own tallies. */
export type RunCounts = Record<string, number>;

/** A CLUSTER item written by discovery: its outcome so far, its wave and the upgrade's expected length. */
export type DiscoveredCluster = ClusterItemInput & { readonly status: ClusterStatus; readonly wave?: string; readonly expectedHops?: number };

export interface FleetRecords {
  /**
   * Stores an explicit list under a run id (the CLI, for a list too big for the execution input), in parts.
   *
   * @example
   * await store.putClusterList('weekly-48', clusters) // { parts: 20, count: 10000 }
   */
  putClusterList(runId: string, clusters: readonly ListedCluster[]): Promise<{ parts: number; count: number }>;
  /**
   * Reads a stored list back, in order.
   *
   * @throws InputValidationError naming `clustersRef` when the parts or the count differ from the reference
   */
  readClusterList(runId: string, ref: { parts: number; count: number }): Promise<ListedCluster[]>;
  /** Writes the run's lanes, with each list lane's entries (in parts). */
  putLanes(runId: string, lanes: readonly { lane: Lane; entries: readonly LaneEntry[] | null }[]): Promise<void>;
  /** A lane; `entries: false` skips a list lane's names (one GetItem instead of a Query more). */
  getLane(runId: string, lane: number, options?: { entries?: boolean }): Promise<LaneRecord | null>;
  /** Marks a lane's discovery done (or failed, with the error), so IndexWaves can tell a lane that never finished. */
  markLaneDiscovered(runId: string, lane: number, error: { name: string; message: string } | null): Promise<void>;
  /** Lanes whose discovery never finished (their child failed outside its own Catch). */
  listUndiscoveredLanes(runId: string): Promise<Lane[]>;
  /** Writes discovered CLUSTER items in batches (BatchWriteItem, unprocessed items retried). */
  putDiscoveredClusters(runId: string, clusters: readonly DiscoveredCluster[]): Promise<void>;
  /** The CLUSTER items of one lane in a run (a Query on the run's partition by key prefix). */
  listLaneClusters(runId: string, lane: { accountId: string; region: string }): Promise<(ClusterItem & { wave?: string; expectedHops?: number })[]>;
  /** Writes one lane's clusters of one wave, in pages of MEMBERS_PAGE_SIZE, in the order given. */
  putWaveMembers(runId: string, wave: string, lane: number, members: readonly WaveMember[]): Promise<number>;
  /**
   * Which lanes have clusters in which wave, with their counts and expected work (Σ and longest of the members'
   * expected hops), for IndexWaves.
   */
  listWaveLanes(runId: string): Promise<{ wave: string; lane: number; clusters: number; hops: number; longestHops: number }[]>;
  /** One page of a lane's wave; null when there is no such page. */
  getWaveMembers(runId: string, wave: string, lane: number, page: number): Promise<{ members: WaveMember[]; pages: number } | null>;
  putWaves(runId: string, waves: readonly WaveRecord[]): Promise<void>;
  getWave(runId: string, index: number): Promise<WaveRecord | null>;
  /** Starts the run's counters (once; a replay keeps them). */
  initRunCounts(runId: string): Promise<void>;
  /**
   * Adds to the run's counters atomically, at most once per `marker` (a retried lane task counts once).
   *
   * @returns false when this marker was already counted
   */
  addRunCounts(runId: string, marker: string, counts: RunCounts): Promise<boolean>;
  /**
   * The run's counters, where and why it halted (once it did), its control (`cni-fleet pause|resume`), the markers
   * counted so far and the waves closed (`closeWaveCounts`).
   */
  getRunCounts(runId: string): Promise<{ counts: RunCounts; halted: RunHalt | null; control: RunControl | null; counted: ReadonlySet<string>; closedWaves: ReadonlySet<number> }>;
  /**
   * Forgets markers no task can repeat any more (a finished discovery's, a closed wave's), so the RUN item holds
   * about one marker per lane at a time instead of one per lane and wave (a DynamoDB item holds at most 400 KB).
   * With `closedWave`, records that wave closed, in the same UpdateItem.
   */
  forgetRunCounted(runId: string, markers: readonly string[], closedWave?: number): Promise<void>;
  /** Records where the run halted (the failure budget, a rollout control): the first halt wins. */
  markHalted(runId: string, halted: RunHalt): Promise<void>;
  /** Status and hops of the given clusters (BatchGetItem, unprocessed keys retried). */
  getClusterOutcomes(runId: string, clusterKeys: readonly string[]): Promise<{ clusterKey: string; status: ClusterStatus; hopsDone: number }[]>;
}

export interface FleetRecordsOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: () => Date;
  readonly expiresAtFrom: (now: Date) => number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The fleet records over the progress table; part of ProgressStore. */
export function fleetRecords(options: FleetRecordsOptions): FleetRecords {
  const { doc, tableName, clock, expiresAtFrom } = options;

  /** BatchWriteItem in batches of 25, retrying what DynamoDB returns unprocessed with backoff. */
  async function batchPut(items: readonly Attributes[]): Promise<void> {
    for (const batch of pages(items, WRITE_BATCH)) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt >= BATCH_ATTEMPTS) throw new Error(`DynamoDB left ${requests.length} writes unprocessed after ${BATCH_ATTEMPTS} attempts`);
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  }

  async function batchGet(keyList: readonly { pk: string; sk: string }[], projection: string, names: Record<string, string>): Promise<Attributes[]> {
    const found: Attributes[] = [];
    for (const batch of pages(keyList, GET_BATCH)) {
      let keysLeft: Attributes[] = batch.map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; keysLeft.length > 0; attempt += 1) {
        if (attempt >= BATCH_ATTEMPTS) throw new Error(`DynamoDB left ${keysLeft.length} reads unprocessed after ${BATCH_ATTEMPTS} attempts`);
        if (attempt > 0) await sleep(50 * 2 ** attempt);
        const out = await doc.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keysLeft, ProjectionExpression: projection, ExpressionAttributeNames: names, ConsistentRead: true } } }),
        );
        found.push(...(out.Responses?.[tableName] ?? []));
        keysLeft = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Attributes[];
      }
    }
    return found;
  }

  /** Sets an attribute of an existing run item unless it is set already: a replay keeps the first value. */
  async function setOnRunOnce(runId: string, attribute: string, value: NativeAttributeValue): Promise<void> {
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: keys.runPk(checkRunId(runId)), sk: keys.runSk },
        UpdateExpression: 'SET #a = if_not_exists(#a, :v)',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#a': attribute, '#pk': 'pk' },
        ExpressionAttributeValues: { ':v': value },
      }),
    );
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Attributes[]> {
    const items: Attributes[] = [];
    for await (const page of paginateQuery({ client: doc }, { ...input, TableName: tableName })) items.push(...(page.Items ?? []));
    return items;
  }


  const byPrefix = (runId: string, prefix: string, projection?: { expression: string; names: Record<string, string> }) =>
    queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', ...(projection?.names ?? {}) },
      ExpressionAttributeValues: { ':pk': keys.runPk(checkRunId(runId)), ':prefix': prefix },
      ...(projection ? { ProjectionExpression: projection.expression } : {}),
      ConsistentRead: true,
    });

  const base = (runId: string, sk: string, type: string): Attributes => ({ pk: keys.runPk(checkRunId(runId)), sk, type, runId, expiresAt: expiresAtFrom(clock()) });

  const getRunItem = async (runId: string): Promise<Attributes | undefined> =>
    (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: keys.runPk(checkRunId(runId)), sk: keys.runSk }, ConsistentRead: true }))).Item;

  return {
    async putClusterList(runId, clusters) {
      const parts = pages(clusters, LIST_PART_SIZE);
      await batchPut(parts.map((entries, i) => ({ ...base(runId, fleetKeys.requestSk(i), FleetItemType.REQUEST), part: i, entries: toPlainJson(entries) })));
      return { parts: parts.length, count: clusters.length };
    },

    async readClusterList(runId, ref) {
      const items = await byPrefix(runId, fleetKeys.requestPrefix);
      const entries = items.sort((a, b) => Number(a['part']) - Number(b['part'])).flatMap((i) => i['entries'] as ListedCluster[]);
      if (items.length !== ref.parts || entries.length !== ref.count)
        throw new InputValidationError('clustersRef', `names ${ref.count} clusters in ${ref.parts} parts, but run ${runId} holds ${entries.length} in ${items.length}: store the list again (cni-fleet start does)`);
      return entries;
    },

    async putLanes(runId, lanes) {
      const items: Attributes[] = [];
      for (const { lane, entries } of lanes) {
        const parts = entries ? pages(entries, LIST_PART_SIZE) : [];
        items.push({
          ...base(runId, fleetKeys.laneSk(lane.lane), FleetItemType.LANE),
          lane: lane.lane,
          accountId: lane.accountId,
          region: lane.region,
          roleArn: lane.roleArn ?? null,
          source: entries ? 'list' : 'selector',
          parts: parts.length,
          discovered: false,
          error: null,
        });
        parts.forEach((part, i) => items.push({ ...base(runId, fleetKeys.laneNamesSk(lane.lane, i), FleetItemType.LANE_NAMES), lane: lane.lane, part: i, entries: toPlainJson(part) }));
      }
      await batchPut(items);
    },

    async getLane(runId, lane, options = {}) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: keys.runPk(checkRunId(runId)), sk: fleetKeys.laneSk(lane) }, ConsistentRead: true }));
      if (!Item) return null;
      const record: Lane = { lane, accountId: String(Item['accountId']), region: String(Item['region']), ...(Item['roleArn'] ? { roleArn: String(Item['roleArn']) } : {}) };
      if (Item['source'] !== 'list' || options.entries === false) return { lane: record, entries: null, discovered: Item['discovered'] === true };
      const parts = await byPrefix(runId, fleetKeys.laneNamesPrefix(lane));
      const entries = parts.sort((a, b) => Number(a['part']) - Number(b['part'])).flatMap((p) => p['entries'] as LaneEntry[]);
      return { lane: record, entries, discovered: Item['discovered'] === true };
    },

    async markLaneDiscovered(runId, lane, error) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: keys.runPk(checkRunId(runId)), sk: fleetKeys.laneSk(lane) },
          UpdateExpression: 'SET #d = :true, #e = :error',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#d': 'discovered', '#e': 'error', '#pk': 'pk' },
          ExpressionAttributeValues: { ':true': true, ':error': error ? { name: error.name, message: error.message } : null },
        }),
      );
    },

    async listUndiscoveredLanes(runId) {
      const items = await byPrefix(runId, 'LANE#', { expression: '#l, #a, #r, #d', names: { '#l': 'lane', '#a': 'accountId', '#r': 'region', '#d': 'discovered' } });
      return items.filter((i) => i['discovered'] !== true).map((i) => ({ lane: Number(i['lane']), accountId: String(i['accountId']), region: String(i['region']) }));
    },

    async putDiscoveredClusters(runId, clusters) {
      const now = clock();
      await batchPut(
        clusters.map((c) => ({
          ...clusterItem(checkRunId(runId), c, now, expiresAtFrom(now)),
          ...(c.wave !== undefined ? { wave: c.wave } : {}),
          ...(c.expectedHops !== undefined ? { expectedHops: c.expectedHops } : {}),
        })),
      );
    },

    async listLaneClusters(runId, lane) {
      const items = await byPrefix(runId, `${keys.clusterPrefix}${lane.accountId}/${lane.region}/`);
      return items.filter((i) => i['type'] === 'CLUSTER') as (ClusterItem & { wave?: string; expectedHops?: number })[];
    },

    async putWaveMembers(runId, wave, lane, members) {
      const parts = pages(members, MEMBERS_PAGE_SIZE);
      await batchPut(
        parts.map((part, i) => ({
          ...base(runId, fleetKeys.membersSk(wave, lane, i), FleetItemType.MEMBERS),
          wave,
          lane,
          page: i,
          pages: parts.length,
          clusters: members.length,
          hops: members.reduce((n, m) => n + m.expectedHops, 0),
          longestHops: Math.max(0, ...members.map((m) => m.expectedHops)),
          members: toPlainJson(part),
        })),
      );
      return parts.length;
    },

    async listWaveLanes(runId) {
      const items = await byPrefix(runId, fleetKeys.membersPrefix, {
        expression: '#w, #l, #p, #c, #h, #x',
        names: { '#w': 'wave', '#l': 'lane', '#p': 'page', '#c': 'clusters', '#h': 'hops', '#x': 'longestHops' },
      });
      return items
        .filter((i) => Number(i['page']) === 0)
        .map((i) => ({ wave: String(i['wave']), lane: Number(i['lane']), clusters: Number(i['clusters']), hops: Number(i['hops'] ?? 0), longestHops: Number(i['longestHops'] ?? 0) }));
    },

    async getWaveMembers(runId, wave, lane, page) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: keys.runPk(checkRunId(runId)), sk: fleetKeys.membersSk(wave, lane, page) }, ConsistentRead: true }),
      );
      return Item ? { members: Item['members'] as WaveMember[], pages: Number(Item['pages']) } : null;
    },

    async putWaves(runId, waves) {
      await batchPut(waves.map((w) => ({ ...base(runId, fleetKeys.waveSk(w.index), FleetItemType.WAVE), ...toPlainJson({ ...w }) })));
    },

    async getWave(runId, index) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: keys.runPk(checkRunId(runId)), sk: fleetKeys.waveSk(index) }, ConsistentRead: true }));
      return Item ? { index: Number(Item['index']), name: String(Item['name']), lanes: Item['lanes'] as number[], clusters: Number(Item['clusters']) } : null;
    },

    async initRunCounts(runId) {
      await setOnRunOnce(runId, 'counts', {});
    },

    async addRunCounts(runId, marker, counts) {
      const entries = Object.entries(counts).filter(([, n]) => n !== 0);
      const names: Record<string, string> = { '#c': 'counts', '#m': 'counted' };
      const values: Attributes = { ':zero': 0, ':marker': new Set([marker]), ':markerText': marker };
      const sets = entries.map(([name, n], i) => {
        names[`#k${i}`] = name;
        values[`:v${i}`] = n;
        return `#c.#k${i} = if_not_exists(#c.#k${i}, :zero) + :v${i}`;
      });
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: keys.runPk(checkRunId(runId)), sk: keys.runSk },
            // One UpdateItem: the counts and the marker that they were counted change together or not at all.
            UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD #m :marker`,
            ConditionExpression: 'attribute_exists(#c) AND NOT contains(#m, :markerText)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return false;
        throw error;
      }
    },

    async getRunCounts(runId) {
      const item = await getRunItem(runId);
      const counts = (item?.['counts'] ?? {}) as RunCounts;
      const halted = (item?.['halted'] ?? null) as RunHalt | null;
      const control = (item?.['control'] ?? null) as RunControl | null;
      const counted = new Set<string>((item?.['counted'] as Set<string> | undefined) ?? []);
      const closedWaves = new Set<number>([...((item?.['closedWaves'] as Set<number> | undefined) ?? [])].map(Number));
      return { counts: { ...counts }, halted, control, counted, closedWaves };
    },

    async forgetRunCounted(runId, markers, closedWave) {
      if (markers.length === 0 && closedWave === undefined) return;
      const names: Record<string, string> = {};
      const values: Attributes = {};
      const clauses: string[] = [];
      if (closedWave !== undefined) {
        names['#w'] = 'closedWaves';
        values[':w'] = new Set([closedWave]);
        clauses.push('ADD #w :w');
      }
      if (markers.length > 0) {
        names['#m'] = 'counted';
        values[':m'] = new Set(markers);
        clauses.push('DELETE #m :m');
      }
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: keys.runPk(checkRunId(runId)), sk: keys.runSk },
          UpdateExpression: clauses.join(' '),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { ...names, '#pk': 'pk' },
          ExpressionAttributeValues: values,
        }),
      );
    },

    async markHalted(runId, halted) {
      await setOnRunOnce(runId, 'halted', { ...halted });
    },

    async getClusterOutcomes(runId, clusterKeys) {
      const pk = keys.runPk(checkRunId(runId));
      const items = await batchGet(
        clusterKeys.map((k) => ({ pk, sk: keys.clusterSk(k) })),
        '#k, #s, #h',
        { '#k': 'clusterKey', '#s': 'status', '#h': 'hopsDone' },
      );
      return items.map((i) => ({ clusterKey: String(i['clusterKey']), status: i['status'] as ClusterStatus, hopsDone: Number(i['hopsDone'] ?? 0) }));
    },
  };
}
