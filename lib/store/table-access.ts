import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { InputValidationError, ProgressTableMismatchError, StepAlreadyRecordedError } from '../errors.js';
import { toPlainJson } from '../json.js';
import { isConditionalCheckFailed, setExpression } from './dynamo-helpers.js';
import type { ClusterItem, HopItem, LockItem, PlanItem, RunItem, SnapshotItem } from './progress-items.js';

export type Attributes = Record<string, NativeAttributeValue>;
export type StoredItem = RunItem | ClusterItem | SnapshotItem | PlanItem | HopItem | LockItem;

/** A ConditionExpression with its placeholders; DynamoDB rejects placeholders an expression does not use. */
export interface Condition {
  readonly expression: string;
  readonly names: Record<string, string>;
  readonly values?: Attributes;
}

/** What the run records, the history queries and the cluster lock share: the table, its clock and its writes. */
export interface TableAccess {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: () => Date;
  /** TTL: the retention after a write at `now`, in epoch seconds (the unit DynamoDB TTL reads). */
  readonly expiresAtFrom: (now: Date) => number;
  getItem<T extends StoredItem>(pk: string, sk: string, type: T['type']): Promise<T | null>;
  asItem<T extends StoredItem>(raw: Attributes, type: T['type']): T;
  /**
   * Writes `item` unless its key exists. On a conflict the stored item goes to `onStored`, which
   * returns it (a replay) or throws (a different record).
   */
  createOnce<T extends StoredItem>(item: T, onStored: (stored: T) => T): Promise<T>;
  /** UpdateItem with `ReturnValues: ALL_NEW`; null when the condition failed. */
  updateIf<T extends StoredItem>(key: { pk: string; sk: string; type: T['type'] }, set: Attributes, condition: Condition): Promise<T | null>;
  /** Every item a Query returns, page by page (the SDK's paginator), at most `maxItems`. */
  queryAll(input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>, maxItems?: number): Promise<Attributes[]>;
}

export interface TableAccessOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: () => Date;
  readonly expiresAtFrom: (now: Date) => number;
  /** `Limit` of each Query page; absent, DynamoDB pages by its 1 MB limit. */
  readonly pageSize?: number | undefined;
}

/** The shared reads and conditional writes over the progress table. */
export function tableAccess(options: TableAccessOptions): TableAccess {
  const { doc, tableName, pageSize } = options;
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
    throw new InputValidationError('pageSize', `${String(pageSize)} must be a positive integer`);
  }

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
    const limit = Math.min(pageSize ?? Number.POSITIVE_INFINITY, maxItems);
    const pages = paginateQuery({ client: doc, ...(Number.isFinite(limit) ? { pageSize: limit } : {}) }, { ...input, TableName: tableName });
    for await (const page of pages) {
      items.push(...(page.Items ?? []));
      if (items.length >= maxItems) break;
    }
    return items.slice(0, maxItems);
  }

  return { ...options, getItem, asItem, createOnce, updateIf, queryAll };
}
