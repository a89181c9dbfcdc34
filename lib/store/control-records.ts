import { GetCommand, PutCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './dynamo-helpers.js';
import { toPlainJson } from '../json.js';
import { checkRunId, keys, parseClusterKey } from './progress-keys.js';
import type { ClusterItem, RunStatus } from './progress-items.js';

type Attributes = Record<string, NativeAttributeValue>;

/**
 * The rollout controls' records (docs/progress-table.md, "Control records"): the RUN item's `control` (paused or
 * running, by whom, why) and its log, one APPROVAL item per wave that asked for one (with the task token the
 * workflow waits on), and a CLUSTER item's `hold` and `holds`.
 */
export const ControlItemType = { APPROVAL: 'APPROVAL' } as const;

export const controlKeys = {
  approvalSk: (wave: number) => `APPROVAL#${String(wave).padStart(5, '0')}`,
  approvalPrefix: 'APPROVAL#',
} as const;

/** Whether the run may start clusters: set by `cni-fleet pause|resume`, read before each cluster and each wave. */
export interface RunControl {
  readonly state: 'RUNNING' | 'PAUSED';
  /** Who set it (the operator's name, or an IAM identity). */
  readonly by: string;
  /** ISO 8601: when it was set. */
  readonly at: string;
  readonly reason: string | null;
}

/** What the controls read from the RUN item before a cluster or a wave starts. */
export interface RunGate {
  readonly status: RunStatus;
  readonly control: RunControl | null;
  /** Set once the run halted (the failure budget, an alarm, an approval, a pause past its bound): the first halt. */
  readonly halted: { readonly wave: number; readonly name: string; readonly reason: string } | null;
}

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'TIMED_OUT';

/** A wave's approval: pk `RUN#<runId>`, sk `APPROVAL#<wave index, 5 digits>`. */
export interface ApprovalItem {
  readonly pk: string;
  readonly sk: string;
  readonly type: typeof ControlItemType.APPROVAL;
  readonly expiresAt: number;
  readonly runId: string;
  readonly wave: { readonly index: number; readonly name: string };
  /** The wave's size, for the people approving it. */
  readonly clusters: number;
  readonly lanes: number;
  readonly status: ApprovalStatus;
  /** What SendTaskSuccess/SendTaskFailure take: the workflow waits on it (`.waitForTaskToken`). */
  readonly taskToken: string;
  readonly executionArn: string;
  readonly requestedAt: string;
  /** When the workflow stops waiting and ends the run (the Task's timeout). */
  readonly deadline: string;
  readonly answeredAt: string | null;
  readonly answeredBy: string | null;
  readonly note: string | null;
  /** Whether the notice reached the notification path, and if not, why. */
  readonly notice: { readonly sent: boolean; readonly error: string | null };
}

/** A cluster held before its first change: why, since when, until when (null: until the cause clears). */
export interface ClusterHold {
  readonly kind: 'pause' | 'alarm' | 'window';
  readonly reason: string;
  readonly since: string;
  readonly until: string | null;
  /** Looks made so far (each a few state transitions of the cluster's execution). */
  readonly checks: number;
}

/** A hold that ended: the cluster started, was deferred or halted, or another hold took over (`changed`). */
export interface HoldEpisode {
  readonly kind: ClusterHold['kind'];
  readonly reason: string;
  readonly from: string;
  readonly to: string;
  readonly outcome: 'started' | 'deferred' | 'halted' | 'changed';
}

export interface ControlRecords {
  /**
   * Sets the run's control (pause or resume) while the run is RUNNING, and logs it on the RUN item.
   *
   * @returns the control, or null when the run does not exist or has ended
   * @example
   * await store.setRunControl('weekly-48', { state: 'PAUSED', by: 'alice', at: new Date().toISOString(), reason: 'incident 4711' })
   */
  setRunControl(runId: string, control: RunControl): Promise<RunControl | null>;
  /** The RUN item's status, control and halt (one GetItem of three attributes); null when there is no such run. */
  getRunGate(runId: string): Promise<RunGate | null>;
  /**
   * Records a wave's approval request (PENDING, with its task token). A request for a wave whose approval is still
   * PENDING replaces it (a retried RequestApproval has a new token); an answered one is never replaced.
   *
   * @returns the stored item, or null when the wave's approval was already answered
   */
  putApproval(runId: string, approval: Omit<ApprovalItem, 'pk' | 'sk' | 'type' | 'expiresAt' | 'runId'>): Promise<ApprovalItem | null>;
  /** The run's approvals, in wave order. */
  listApprovals(runId: string): Promise<ApprovalItem[]>;
  /**
   * Records the answer to a PENDING approval (RecordApproval, from what the workflow received).
   *
   * @returns the answered item, or null when it was not PENDING (answered already) or does not exist
   */
  answerApproval(runId: string, wave: number, answer: { status: Exclude<ApprovalStatus, 'PENDING'>; by: string; note: string | null; at: string }): Promise<ApprovalItem | null>;
  /**
   * Sets (or clears, with null) the cluster's current hold; `ended` is appended to its `holds` when a hold ends.
   *
   * @example
   * await store.setClusterHold(runId, key, null, { kind: 'window', reason, from, to, outcome: 'started' })
   */
  setClusterHold(runId: string, clusterKey: string, hold: ClusterHold | null, ended?: HoldEpisode): Promise<ClusterItem | null>;
}

export interface ControlRecordsOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: () => Date;
  readonly expiresAtFrom: (now: Date) => number;
}

/** The control records over the progress table; part of ProgressStore. */
export function controlRecords(options: ControlRecordsOptions): ControlRecords {
  const { doc, tableName, clock, expiresAtFrom } = options;
  const runKey = (runId: string) => ({ pk: keys.runPk(checkRunId(runId)), sk: keys.runSk });

  return {
    async setRunControl(runId, control) {
      const entry = toPlainJson({ ...control });
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: runKey(runId),
            UpdateExpression: 'SET #c = :c, #log = list_append(if_not_exists(#log, :empty), :entry)',
            ConditionExpression: 'attribute_exists(#pk) AND #status = :running',
            ExpressionAttributeNames: { '#c': 'control', '#log': 'controlLog', '#pk': 'pk', '#status': 'status' },
            ExpressionAttributeValues: { ':c': entry, ':entry': [entry], ':empty': [], ':running': 'RUNNING' },
          }),
        );
        return control;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return null;
        throw error;
      }
    },

    async getRunGate(runId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: runKey(runId),
          ConsistentRead: true,
          ProjectionExpression: '#s, #c, #h',
          ExpressionAttributeNames: { '#s': 'status', '#c': 'control', '#h': 'halted' },
        }),
      );
      if (!Item) return null;
      return { status: Item['status'] as RunStatus, control: (Item['control'] ?? null) as RunControl | null, halted: (Item['halted'] ?? null) as RunGate['halted'] };
    },

    async putApproval(runId, approval) {
      const now = clock();
      const item: ApprovalItem = {
        ...approval,
        pk: keys.runPk(checkRunId(runId)),
        sk: controlKeys.approvalSk(approval.wave.index),
        type: ControlItemType.APPROVAL,
        expiresAt: expiresAtFrom(now),
        runId,
      };
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: toPlainJson({ ...item }),
            ConditionExpression: 'attribute_not_exists(#pk) OR #status = :pending',
            ExpressionAttributeNames: { '#pk': 'pk', '#status': 'status' },
            ExpressionAttributeValues: { ':pending': 'PENDING' },
          }),
        );
        return item;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return null;
        throw error;
      }
    },

    async listApprovals(runId) {
      const items: Attributes[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: { ':pk': keys.runPk(checkRunId(runId)), ':prefix': controlKeys.approvalPrefix },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) items.push(...(page.Items ?? []));
      return items as ApprovalItem[];
    },

    async answerApproval(runId, wave, answer) {
      try {
        const { Attributes: stored } = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: keys.runPk(checkRunId(runId)), sk: controlKeys.approvalSk(wave) },
            UpdateExpression: 'SET #status = :s, #by = :by, #note = :note, #at = :at',
            ConditionExpression: 'attribute_exists(#pk) AND #status = :pending',
            ExpressionAttributeNames: { '#pk': 'pk', '#status': 'status', '#by': 'answeredBy', '#note': 'note', '#at': 'answeredAt' },
            ExpressionAttributeValues: { ':s': answer.status, ':by': answer.by, ':note': answer.note, ':at': answer.at, ':pending': 'PENDING' },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return (stored ?? null) as ApprovalItem | null;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return null;
        throw error;
      }
    },

    async setClusterHold(runId, clusterKey, hold, ended) {
      parseClusterKey(clusterKey);
      const now = clock();
      const names: Record<string, string> = { '#pk': 'pk', '#hold': 'hold', '#u': 'updatedAt', '#x': 'expiresAt' };
      const values: Attributes = { ':hold': hold === null ? null : toPlainJson({ ...hold }), ':u': now.toISOString(), ':x': expiresAtFrom(now) };
      let expression = 'SET #hold = :hold, #u = :u, #x = :x';
      if (ended) {
        names['#holds'] = 'holds';
        values[':ended'] = [toPlainJson({ ...ended })];
        values[':empty'] = [];
        expression += ', #holds = list_append(if_not_exists(#holds, :empty), :ended)';
      }
      try {
        const { Attributes: stored } = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: keys.runPk(checkRunId(runId)), sk: keys.clusterSk(clusterKey) },
            UpdateExpression: expression,
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return (stored ?? null) as ClusterItem | null;
      } catch (error) {
        if (isConditionalCheckFailed(error)) return null;
        throw error;
      }
    },
  };
}
