import { expect, it } from 'vitest';
import { LockHeldError, LockLostError } from '../../../lib/errors.js';
import type { ProgressStore } from '../../../lib/store/progress-store.js';
import { describeStoreOnTargets } from '../../helpers/store-on-targets.js';

const T0 = new Date('2026-11-22T10:00:00.000Z');
const T0_SECONDS = T0.getTime() / 1000;
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const key = '111122223333/us-east-1/prod';
const runA = 'arn:aws:states:us-east-1:111122223333:execution:upgrade-cluster:run-a';
const runB = 'arn:aws:states:us-east-1:111122223333:execution:upgrade-cluster:run-b';

/** The error a call rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

let store: ProgressStore;

describeStoreOnTargets('cluster lock', { now: () => T0, beforeEach: (fresh) => void (store = fresh) }, () => {

  it('gives a free lock to the first owner and refuses a second owner with who holds it until when', async () => {
    // Act
    const lock = await store.acquireLock(key, runA, 600);
    const refused = await rejection(store.acquireLock(key, runB, 600, at(10)));

    // Assess
    expect(lock).toEqual({
      pk: `LOCK#${key}`,
      sk: 'LOCK',
      type: 'LOCK',
      clusterKey: key,
      owner: runA,
      runId: null,
      acquiredAt: T0.toISOString(),
      lockExpiresAt: T0_SECONDS + 600,
      expiresAt: T0_SECONDS + 400 * 86_400,
      gsi1pk: `LOCKOWNER#${runA}`,
      gsi1sk: `LOCK#${key}`,
    });
    expect(refused).toBeInstanceOf(LockHeldError);
    expect(refused).toMatchObject({ name: 'LockHeldError', clusterKey: key, heldBy: runA, expiresAt: T0_SECONDS + 600 });
    expect(await store.getLock(key)).toEqual(lock);
  });

  it('lets exactly one of two owners racing for a free lock win', async () => {
    // Act
    const results = await Promise.allSettled([store.acquireLock(key, runA, 600), store.acquireLock(key, runB, 600)]);

    // Assess
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.status === 'rejected' && lost[0].reason).toBeInstanceOf(LockHeldError);
  });

  it('is re-entrant: the holder acquiring again moves the expiry on', async () => {
    // Prepare
    await store.acquireLock(key, runA, 600);

    // Act
    const again = await store.acquireLock(key, runA, 600, at(300));

    // Assess
    expect(again).toMatchObject({ owner: runA, lockExpiresAt: T0_SECONDS + 900 });
  });

  it('hands an expired lock of a crashed execution to the next owner', async () => {
    // Prepare
    await store.acquireLock(key, runA, 600);

    // Act
    const atExpiry = await rejection(store.acquireLock(key, runB, 600, at(600)));
    const takenOver = await store.acquireLock(key, runB, 600, at(601));
    const lostRenewal = await rejection(store.renewLock(key, runA, 600, at(602)));
    const staleRelease = await store.releaseLock(key, runA);

    // Assess
    expect(atExpiry).toBeInstanceOf(LockHeldError);
    expect(takenOver).toMatchObject({ owner: runB, lockExpiresAt: T0_SECONDS + 1201 });
    expect(lostRenewal).toBeInstanceOf(LockLostError);
    expect(lostRenewal).toMatchObject({ name: 'LockLostError', owner: runA, heldBy: runB });
    expect(staleRelease).toBe(false);
    expect((await store.getLock(key))?.owner).toBe(runB);
  });

  it('renews a lock its owner holds', async () => {
    // Prepare
    await store.acquireLock(key, runA, 600);

    // Act
    const renewed = await store.renewLock(key, runA, 900, at(500));

    // Assess
    expect(renewed).toMatchObject({ owner: runA, acquiredAt: T0.toISOString(), lockExpiresAt: T0_SECONDS + 1400 });
  });

  it('releases only for the holder; releasing someone else’s or a missing lock is a no-op', async () => {
    // Prepare
    await store.acquireLock(key, runA, 600);

    // Act
    const byOther = await store.releaseLock(key, runB);
    const stillHeld = await store.getLock(key);
    const byHolder = await store.releaseLock(key, runA);
    const twice = await store.releaseLock(key, runA);
    const renewGone = await rejection(store.renewLock(key, runA, 600));
    const nextOwner = await store.acquireLock(key, runB, 600);

    // Assess
    expect(byOther).toBe(false);
    expect(stillHeld?.owner).toBe(runA);
    expect(byHolder).toBe(true);
    expect(twice).toBe(false);
    expect(renewGone).toMatchObject({ name: 'LockLostError', heldBy: null });
    expect(nextOwner.owner).toBe(runB);
  });

  it('keeps the locks of different clusters apart', async () => {
    // Prepare
    await store.acquireLock(key, runA, 600);

    // Act
    const other = await store.acquireLock('111122223333/eu-west-1/prod', runB, 600);

    // Assess
    expect(other.owner).toBe(runB);
    expect((await store.getLock(key))?.owner).toBe(runA);
  });

  it('finds exactly the locks one owner holds, with their run, through the index (no scan)', async () => {
    // Prepare: runA holds two clusters' locks, runB one; one of runA's passes to runB after expiring.
    const other = '111122223333/eu-west-1/prod';
    const third = '444455556666/us-east-1/prod';
    await store.acquireLock(key, runA, 600, T0, 'weekly-1');
    await store.acquireLock(other, runA, 600, T0, 'weekly-1');
    await store.acquireLock(third, runB, 600, T0, 'weekly-2');
    await store.acquireLock(other, runB, 600, at(601), 'weekly-2');

    // Act
    const ofA = await store.locksOwnedBy(runA);
    const ofB = await store.locksOwnedBy(runB);
    const ofNobody = await store.locksOwnedBy('arn:aws:states:us-east-1:111122223333:execution:upgrade-cluster:none');

    // Assess
    expect(ofA.map((l) => [l.clusterKey, l.runId])).toEqual([[key, 'weekly-1']]);
    expect(ofB.map((l) => [l.clusterKey, l.runId]).sort()).toEqual([[other, 'weekly-2'], [third, 'weekly-2']].sort());
    expect(ofNobody).toEqual([]);
  });

  it('rejects a lock time that is not a positive whole number of seconds', async () => {
    // Act
    const refused = await rejection(store.acquireLock(key, runA, 0));

    // Assess
    expect(refused).toMatchObject({ name: 'InputValidationError', field: 'ttlSeconds' });
  });
});
