import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { InputValidationError, LockHeldError, LockLostError } from '../errors.js';
import { isConditionalCheckFailed } from './dynamo-helpers.js';
import { ItemType, type LockItem } from './progress-items.js';
import { checkRunId, keys, parseClusterKey } from './progress-keys.js';
import type { TableAccess } from './table-access.js';
import { ProgressIndex } from './table-definition.js';

/** One execution at a time per cluster: a lease with an owner and an expiry; part of ProgressStore. */
export interface ClusterLock {
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

/** The cluster lock over the progress table. */
export function clusterLock(table: TableAccess): ClusterLock {
  const { doc, tableName, clock, expiresAtFrom, getItem, asItem, updateIf, queryAll } = table;
  return {
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

function checkOwner(owner: string): void {
  if (typeof owner !== 'string' || owner.length === 0) throw new InputValidationError('owner', 'must be a non-empty run id or execution ARN');
}

function checkTtl(ttlSeconds: number): void {
  if (!(Number.isInteger(ttlSeconds) && ttlSeconds > 0)) throw new InputValidationError('ttlSeconds', `${String(ttlSeconds)} must be a positive whole number`);
}
