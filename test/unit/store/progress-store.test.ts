import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputValidationError, ProgressRecordNotFoundError, StepAlreadyRecordedError } from '../../../lib/errors.js';
import { createProgressStore, type AddonSnapshot, type ProgressStore, type ProgressStoreOptions } from '../../../lib/store/progress-store.js';
import { clusterKeyOf } from '../../../lib/store/progress-keys.js';
import type { UpgradePlan } from '../../../lib/versions/upgrade-plan.js';
import { dynamoTargets, type TestDynamo } from '../../helpers/start-dynamo.js';

const DAY = 86_400;
const T0 = new Date('2026-11-22T10:00:00.000Z');
const T0_SECONDS = T0.getTime() / 1000;
const prodKey = clusterKeyOf({ accountId: '111122223333', region: 'us-east-1', clusterName: 'prod' });
const prod = { accountId: '111122223333', region: 'us-east-1', clusterName: 'prod' } as const;

const snapshot: AddonSnapshot = {
  addonVersion: 'v1.15.1-eksbuild.1',
  configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}',
  serviceAccountRoleArn: 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole',
  podIdentityAssociations: [],
  kubernetesVersion: '1.29',
  takenAt: '2026-11-22T10:00:01.000Z',
  addonArn: 'arn:aws:eks:us-east-1:111122223333:addon/prod/vpc-cni/abc',
};

const plan: UpgradePlan = {
  from: 'v1.15.1-eksbuild.1',
  target: 'v1.17.1-eksbuild.1',
  kubernetesVersion: '1.29',
  direction: 'up',
  hops: [
    { index: 1, from: 'v1.15.1-eksbuild.1', to: 'v1.16.4-eksbuild.2', kind: 'minor' },
    { index: 2, from: 'v1.16.4-eksbuild.2', to: 'v1.17.1-eksbuild.1', kind: 'minor' },
  ],
  blocked: null,
  notes: [],
};

/** The error a call rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

const hop1 = { index: 1, fromVersion: 'v1.15.1-eksbuild.1', version: 'v1.16.4-eksbuild.2', kind: 'minor', updateId: 'u-1' } as const;

for (const target of dynamoTargets) {
  describe.skipIf(!target.available)(`progress store on ${target.name}`, () => {
    let dynamo: TestDynamo;
    let tableName: string;
    let clock: Date;
    let store: ProgressStore;
    const storeWith = (options: Partial<ProgressStoreOptions> = {}) => createProgressStore({ doc: dynamo.doc, tableName, now: () => clock, ...options });

    beforeAll(async () => {
      dynamo = await target.start();
    });
    afterAll(async () => {
      await dynamo?.close();
    });
    beforeEach(async () => {
      tableName = await dynamo.newTable();
      clock = T0;
      store = storeWith();
    });

    describe('runs', () => {
      it('records a run as RUNNING with a TTL 400 days out, and reads it back', async () => {
        // Act
        const written = await store.putRun({ runId: 'run-1', input: { target: 'latest', dryRun: false, skipped: undefined }, trigger: 'cli' });
        const read = await store.getRun('run-1');

        // Assess
        expect(read).toEqual(written);
        expect(read).toMatchObject({
          pk: 'RUN#run-1',
          sk: 'RUN',
          type: 'RUN',
          runId: 'run-1',
          startedAt: T0.toISOString(),
          endedAt: null,
          input: { target: 'latest', dryRun: false },
          status: 'RUNNING',
          summary: null,
          trigger: 'cli',
          expiresAt: T0_SECONDS + 400 * DAY,
        });
        expect(await store.getRun('run-404')).toBeNull();
      });

      it('returns the stored run on a replay and refuses another run with the same id', async () => {
        // Prepare
        const first = await store.putRun({ runId: 'run-1', input: { target: 'latest' }, trigger: 'schedule' });
        clock = new Date(T0.getTime() + 60_000);

        // Act
        const replay = await store.putRun({ runId: 'run-1', input: { target: 'latest' }, trigger: 'schedule' });
        const other = await rejection(store.putRun({ runId: 'run-1', input: { target: 'v1.18.0-eksbuild.1' }, trigger: 'schedule' }));

        // Assess
        expect(replay).toEqual(first);
        expect(other).toBeInstanceOf(StepAlreadyRecordedError);
        expect(other).toMatchObject({ name: 'StepAlreadyRecordedError', recordType: 'RUN', problem: expect.stringContaining('input') });
      });

      it('finishes a run once; the same end again is a replay, another end is refused', async () => {
        // Prepare
        await store.putRun({ runId: 'run-1', input: {}, trigger: 'local' });
        clock = new Date(T0.getTime() + 3_600_000);

        // Act
        const finished = await store.finishRun('run-1', { status: 'SUCCEEDED', summary: { upgraded: 2, failed: 0 } });
        clock = new Date(T0.getTime() + 7_200_000);
        const replay = await store.finishRun('run-1', { status: 'SUCCEEDED', summary: { upgraded: 2, failed: 0 } });
        const conflicting = await rejection(store.finishRun('run-1', { status: 'FAILED', summary: {} }));
        const missing = await rejection(store.finishRun('run-404', { status: 'FAILED', summary: {} }));

        // Assess
        expect(finished).toMatchObject({ status: 'SUCCEEDED', summary: { upgraded: 2, failed: 0 }, endedAt: '2026-11-22T11:00:00.000Z' });
        expect(replay).toEqual(finished);
        expect(conflicting).toMatchObject({ name: 'StepAlreadyRecordedError', problem: expect.stringContaining('SUCCEEDED') });
        expect(missing).toBeInstanceOf(ProgressRecordNotFoundError);
      });

      it('rejects a run id that cannot sit in a key', async () => {
        // Act
        const attempt = await rejection(store.putRun({ runId: 'a#b', input: {}, trigger: 'cli' }));

        // Assess
        expect(attempt).toMatchObject({ name: 'InputValidationError', field: 'runId' });
      });
    });

    describe('clusters', () => {
      it('adds a cluster as PENDING with its history keys', async () => {
        // Act
        const cluster = await store.putCluster('run-1', { ...prod, from: 'v1.15.1-eksbuild.1', target: 'v1.17.1-eksbuild.1', hopCount: 2 });

        // Assess
        expect(cluster).toEqual({
          pk: 'RUN#run-1',
          sk: `CLUSTER#${prodKey}`,
          type: 'CLUSTER',
          expiresAt: T0_SECONDS + 400 * DAY,
          runId: 'run-1',
          clusterKey: prodKey,
          clusterName: 'prod',
          region: 'us-east-1',
          accountId: '111122223333',
          status: 'PENDING',
          step: null,
          from: 'v1.15.1-eksbuild.1',
          target: 'v1.17.1-eksbuild.1',
          hopCount: 2,
          hopsDone: 0,
          currentHop: null,
          error: null,
          startedAt: T0.toISOString(),
          updatedAt: T0.toISOString(),
          endedAt: null,
          gsi1pk: `CLUSTER#${prodKey}`,
          gsi1sk: `${T0.toISOString()}#run-1`,
          gsi2pk: 'CLUSTERNAME#prod',
        });
        expect(await store.getCluster('run-1', prodKey)).toEqual(cluster);
      });

      it('never resets a cluster that steps have moved on when putCluster is replayed', async () => {
        // Prepare
        await store.putCluster('run-1', prod);
        await store.updateCluster('run-1', prodKey, { status: 'RUNNING', step: 'PollHop', currentHop: 1 });

        // Act
        const replay = await store.putCluster('run-1', prod);

        // Assess
        expect(replay).toMatchObject({ status: 'RUNNING', step: 'PollHop', currentHop: 1 });
      });

      it('changes only the attributes a step names, so concurrent steps keep each other’s writes', async () => {
        // Prepare
        await store.putCluster('run-1', prod);

        // Act
        await Promise.all([
          store.updateCluster('run-1', prodKey, { step: 'PollHop', currentHop: 2 }),
          store.updateCluster('run-1', prodKey, { hopsDone: 1 }),
          store.updateCluster('run-1', prodKey, { status: 'RUNNING' }),
        ]);
        const cluster = await store.getCluster('run-1', prodKey);

        // Assess
        expect(cluster).toMatchObject({ status: 'RUNNING', step: 'PollHop', currentHop: 2, hopsDone: 1, endedAt: null });
      });

      it('sets endedAt on a final status and records the error as plain name and message', async () => {
        // Prepare
        await store.putCluster('run-1', prod);
        clock = new Date(T0.getTime() + 90_000);
        const failure = new StepAlreadyRecordedError('HOP', 'RUN#run-1', 'x', 'example');

        // Act
        const cluster = await store.updateCluster('run-1', prodKey, { status: 'FAILED', step: 'RecordFailure', error: failure });

        // Assess
        expect(cluster).toMatchObject({
          status: 'FAILED',
          endedAt: '2026-11-22T10:01:30.000Z',
          updatedAt: '2026-11-22T10:01:30.000Z',
          error: { name: 'StepAlreadyRecordedError', message: failure.message },
          expiresAt: T0_SECONDS + 90 + 400 * DAY,
        });
      });

      it('aborts only an open cluster: PENDING or RUNNING become ABORTED, an ended one keeps its outcome', async () => {
        // Prepare
        const stage = { accountId: '111122223333', region: 'us-east-1', clusterName: 'stage' } as const;
        const stageKey = clusterKeyOf(stage);
        const done = { accountId: '111122223333', region: 'us-east-1', clusterName: 'done' } as const;
        await store.putCluster('run-1', prod);
        await store.putCluster('run-1', { ...stage, status: 'RUNNING', step: 'PollHop' });
        await store.putCluster('run-1', done);
        await store.updateCluster('run-1', clusterKeyOf(done), { status: 'UPGRADED' });
        clock = new Date(T0.getTime() + 60_000);
        const error = { name: 'ExecutionAborted', message: 'stopped from the console' };

        // Act
        const pending = await store.abortCluster('run-1', prodKey, error);
        const running = await store.abortCluster('run-1', stageKey, error);
        const ended = await store.abortCluster('run-1', clusterKeyOf(done), error);
        const again = await store.abortCluster('run-1', prodKey, error);
        const missing = await store.abortCluster('run-2', prodKey, error);

        // Assess
        expect(pending).toMatchObject({ status: 'ABORTED', error, endedAt: '2026-11-22T10:01:00.000Z', currentHop: null });
        expect(running).toMatchObject({ status: 'ABORTED', step: 'PollHop', error });
        expect(ended).toBeNull();
        expect(await store.getCluster('run-1', clusterKeyOf(done))).toMatchObject({ status: 'UPGRADED', error: null });
        expect(again).toBeNull();
        expect(missing).toBeNull();
      });

      it('refuses to update a cluster that was never added, and an unknown status', async () => {
        // Prepare
        await store.putCluster('run-1', prod);

        // Act
        const missing = await rejection(store.updateCluster('run-2', prodKey, { status: 'RUNNING' }));
        const badStatus = await rejection(store.updateCluster('run-1', prodKey, { status: 'DONE' as never }));

        // Assess
        expect(missing).toBeInstanceOf(ProgressRecordNotFoundError);
        expect(badStatus).toBeInstanceOf(InputValidationError);
      });
    });

    describe('snapshots and plans', () => {
      it('keeps the first snapshot: a replay returns it, a different one is refused', async () => {
        // Prepare
        const first = await store.putSnapshot('run-1', prodKey, snapshot);
        clock = new Date(T0.getTime() + 60_000);
        const reordered = Object.fromEntries(Object.entries(snapshot).reverse()) as AddonSnapshot;

        // Act
        const replay = await store.putSnapshot('run-1', prodKey, reordered);
        const changed = await rejection(store.putSnapshot('run-1', prodKey, { ...snapshot, configurationValues: '{}' }));
        const [group] = await store.listRunClusters('run-1');

        // Assess
        expect(replay).toEqual(first);
        expect(first).toMatchObject({ sk: `CLUSTER#${prodKey}#SNAPSHOT`, type: 'SNAPSHOT', snapshot });
        expect(first.snapshot['addonArn']).toBe(snapshot['addonArn']);
        expect(changed).toMatchObject({ name: 'StepAlreadyRecordedError', problem: expect.stringContaining('configurationValues') });
        expect(group?.snapshot).toEqual(first);
      });

      it('keeps the first plan the same way', async () => {
        // Prepare
        const first = await store.putPlan('run-1', prodKey, plan);

        // Act
        const replay = await store.putPlan('run-1', prodKey, plan);
        const changed = await rejection(store.putPlan('run-1', prodKey, { ...plan, hops: plan.hops.slice(0, 1), target: 'v1.16.4-eksbuild.2' }));

        // Assess
        expect(replay).toEqual(first);
        expect(first).toMatchObject({ sk: `CLUSTER#${prodKey}#PLAN`, type: 'PLAN', plan });
        expect(changed).toMatchObject({ name: 'StepAlreadyRecordedError', problem: expect.stringMatching(/hops.*target/) });
      });
    });

    describe('hops', () => {
      it('starts a hop once: a retried start returns the stored hop and adds no record', async () => {
        // Prepare
        const started = await store.startHop('run-1', prodKey, hop1);
        clock = new Date(T0.getTime() + 30_000);

        // Act
        const replay = await store.startHop('run-1', prodKey, hop1);
        const other = await rejection(store.startHop('run-1', prodKey, { ...hop1, updateId: 'u-2' }));
        const [group] = await store.listRunClusters('run-1');

        // Assess
        expect(started).toMatchObject({
          sk: `CLUSTER#${prodKey}#HOP#01`,
          type: 'HOP',
          index: 1,
          updateId: 'u-1',
          outcome: 'IN_PROGRESS',
          polls: 0,
          startedAt: T0.toISOString(),
          endedAt: null,
          error: null,
          healthIssues: [],
        });
        expect(replay).toEqual(started);
        expect(group?.hops).toEqual([started]);
        expect(other).toMatchObject({ name: 'StepAlreadyRecordedError', problem: expect.stringContaining('updateId') });
      });

      it('records polls, then the end; the same end again changes nothing, another end is refused', async () => {
        // Prepare
        await store.startHop('run-1', prodKey, hop1);
        const issues = [{ code: 'InsufficientNumberOfReplicas', message: 'not enough replicas', resourceIds: null }];

        // Act
        const polled = await store.updateHop('run-1', prodKey, 1, { polls: 3, healthIssues: issues });
        clock = new Date(T0.getTime() + 120_000);
        const ended = await store.updateHop('run-1', prodKey, 1, { polls: 4, outcome: 'FAILED', error: { name: 'AddonUpdateFailedError', message: 'boom', code: 'AccessDenied' } });
        clock = new Date(T0.getTime() + 240_000);
        const replay = await store.updateHop('run-1', prodKey, 1, { polls: 4, outcome: 'FAILED' });
        const conflicting = await rejection(store.updateHop('run-1', prodKey, 1, { outcome: 'SUCCEEDED' }));
        const latePoll = await rejection(store.updateHop('run-1', prodKey, 1, { polls: 5 }));
        const missing = await rejection(store.updateHop('run-1', prodKey, 2, { polls: 1 }));

        // Assess
        expect(polled).toMatchObject({ polls: 3, outcome: 'IN_PROGRESS', endedAt: null, healthIssues: issues });
        expect(ended).toMatchObject({
          polls: 4,
          outcome: 'FAILED',
          endedAt: '2026-11-22T10:02:00.000Z',
          error: { name: 'AddonUpdateFailedError', message: 'boom', code: 'AccessDenied' },
          healthIssues: issues,
        });
        expect(replay).toEqual(ended);
        expect(conflicting).toMatchObject({ name: 'StepAlreadyRecordedError', problem: expect.stringContaining('FAILED') });
        expect(latePoll).toBeInstanceOf(StepAlreadyRecordedError);
        expect(missing).toBeInstanceOf(ProgressRecordNotFoundError);
      });

      it('rejects a hop index that the two-digit sort key cannot hold', async () => {
        // Act
        const attempt = await rejection(store.startHop('run-1', prodKey, { ...hop1, index: 100 }));

        // Assess
        expect(attempt).toMatchObject({ name: 'InputValidationError', field: 'index' });
      });
    });

    describe('listRunClusters', () => {
      it('groups each cluster with its snapshot, plan and hops in order, and leaves other runs out', async () => {
        // Prepare
        const devKey = clusterKeyOf({ ...prod, clusterName: 'dev' });
        await store.putRun({ runId: 'run-1', input: {}, trigger: 'cli' });
        await store.putCluster('run-1', prod);
        await store.putCluster('run-1', { ...prod, clusterName: 'dev' });
        await store.putCluster('run-2', prod);
        await store.putSnapshot('run-1', prodKey, snapshot);
        await store.putPlan('run-1', prodKey, plan);
        await store.startHop('run-1', prodKey, { ...hop1, index: 2, updateId: 'u-2' });
        await store.startHop('run-1', prodKey, hop1);

        // Act
        const groups = await store.listRunClusters('run-1');

        // Assess
        expect(groups.map((g) => g.clusterKey)).toEqual([devKey, prodKey]);
        expect(groups[0]).toMatchObject({ cluster: { clusterName: 'dev' }, snapshot: null, plan: null, hops: [] });
        expect(groups[1]?.cluster?.runId).toBe('run-1');
        expect(groups[1]?.snapshot?.snapshot).toEqual(snapshot);
        expect(groups[1]?.plan?.plan).toEqual(plan);
        expect(groups[1]?.hops.map((h) => h.index)).toEqual([1, 2]);
      });

      it('reads every page when the run has more items than a page holds', async () => {
        // Prepare
        const paged = storeWith({ pageSize: 3 });
        const names = Array.from({ length: 25 }, (_, i) => `c${String(i).padStart(2, '0')}`);
        for (const clusterName of names) {
          await paged.putCluster('run-1', { ...prod, clusterName });
          await paged.startHop('run-1', clusterKeyOf({ ...prod, clusterName }), hop1);
        }

        // Act
        const groups = await paged.listRunClusters('run-1');

        // Assess
        expect(groups.map((g) => g.cluster?.clusterName)).toEqual(names);
        expect(groups.every((g) => g.hops.length === 1)).toBe(true);
      });

      it('reads past DynamoDB’s 1 MB page limit', async () => {
        // Prepare: five snapshots of ~300 KB each make one query span more than 1 MB.
        const big = 'x'.repeat(300_000);
        const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
        for (const clusterName of names) {
          const key = clusterKeyOf({ ...prod, clusterName });
          await store.putCluster('run-1', { ...prod, clusterName });
          await store.putSnapshot('run-1', key, { ...snapshot, configurationValues: big });
        }
        const firstPage = await dynamo.doc.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'RUN#run-1' } }),
        );

        // Act
        const groups = await store.listRunClusters('run-1');

        // Assess
        expect(firstPage.LastEvaluatedKey).toBeDefined();
        expect(groups.map((g) => g.cluster?.clusterName)).toEqual(names);
        expect(groups.every((g) => g.snapshot?.snapshot.configurationValues === big)).toBe(true);
      });
    });

    describe('cluster history', () => {
      it('lists a cluster’s runs newest first, across pages, up to the limit', async () => {
        // Prepare: written out of order, a week apart.
        const paged = storeWith({ pageSize: 1 });
        for (const [runId, day] of [['run-b', 8], ['run-c', 15], ['run-a', 1], ['run-d', 22]] as const) {
          await paged.putCluster(runId, { ...prod, startedAt: `2026-11-${String(day).padStart(2, '0')}T03:00:00.000Z` });
        }
        await paged.putCluster('run-a', { ...prod, clusterName: 'other' });

        // Act
        const all = await paged.clusterHistory(prodKey);
        const latestTwo = await paged.clusterHistory(prodKey, { limit: 2 });

        // Assess
        expect(all.map((c) => c.runId)).toEqual(['run-d', 'run-c', 'run-b', 'run-a']);
        expect(latestTwo.map((c) => c.runId)).toEqual(['run-d', 'run-c']);
      });

      it('finds a cluster by name in every account and region, newest first', async () => {
        // Prepare
        await store.putCluster('run-1', { ...prod, startedAt: '2026-11-01T00:00:00Z' });
        await store.putCluster('run-2', { ...prod, region: 'eu-west-1', startedAt: '2026-11-02T00:00:00Z' });
        await store.putCluster('run-3', { ...prod, accountId: '444455556666', startedAt: '2026-11-03T00:00:00Z' });
        await store.putCluster('run-3', { ...prod, clusterName: 'prod-2', startedAt: '2026-11-03T00:00:00Z' });

        // Act
        const byName = await store.clusterHistoryByName('prod');
        const viaHistory = await store.clusterHistory('prod');
        const byKey = await store.clusterHistory(prodKey);

        // Assess
        expect(byName.map((c) => c.clusterKey)).toEqual(['444455556666/us-east-1/prod', '111122223333/eu-west-1/prod', prodKey]);
        expect(viaHistory).toEqual(byName);
        expect(byKey.map((c) => c.runId)).toEqual(['run-1']);
      });
    });

    it('sets the TTL attribute on every item from retentionDays', async () => {
      // Prepare
      const shortLived = storeWith({ retentionDays: 30 });
      const expected = T0_SECONDS + 30 * DAY;

      // Act
      const items = [
        await shortLived.putRun({ runId: 'run-1', input: {}, trigger: 'event' }),
        await shortLived.putCluster('run-1', prod),
        await shortLived.putSnapshot('run-1', prodKey, snapshot),
        await shortLived.putPlan('run-1', prodKey, plan),
        await shortLived.startHop('run-1', prodKey, hop1),
        await shortLived.acquireLock(prodKey, 'run-1', 600),
      ];
      const [stored] = await shortLived.listRunClusters('run-1');

      // Assess
      expect(items.map((item) => item.expiresAt)).toEqual(Array(items.length).fill(expected));
      expect([stored?.cluster, stored?.snapshot, stored?.plan, ...(stored?.hops ?? [])].map((item) => item?.expiresAt)).toEqual(Array(4).fill(expected));
    });
  });
}
