import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCatalogueCache } from '../../../lib/addon/eks-catalogue.js';
import { localNotifier } from '../../../lib/controls/notifier.js';
import { indexWaves } from '../../../lib/steps/index-waves.js';
import type { StepDeps } from '../../../lib/steps/step-deps.js';
import { createProgressStore, type ProgressStore } from '../../../lib/store/progress-store.js';
import { startTestDynamo, type TestDynamo } from '../../helpers/start-dynamo.js';

const RUN = 'lanes-left-open';
const ACCOUNT = '222233334444';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cni-fleet-target`;

// IndexWaves closes a lane whose discovery child failed past its own Catch (a Lambda that kept timing out, DynamoDB
// that kept refusing): only the store is used, so no AWS client is built here.
const noClient = (): never => {
  throw new Error('IndexWaves calls no AWS API');
};

describe('IndexWaves closes a lane whose discovery did not finish', () => {
  let dynamo: TestDynamo;
  let store: ProgressStore;
  let deps: StepDeps;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  beforeEach(async () => {
    store = createProgressStore({ doc: dynamo.doc, tableName: await dynamo.newTable() });
    deps = { store, now: () => new Date(), accountId: ACCOUNT, cache: newCatalogueCache(), eksFor: noClient, cloudWatchFor: noClient, region: 'us-east-1', notifier: localNotifier() };
    await store.putRun({ runId: RUN, input: {}, trigger: 'local' });
    await store.initRunCounts(RUN);
  });

  it('a listed lane: what the child recorded goes on in its wave, what it never recorded is FAILED, and all are counted', async () => {
    // Prepare: the child recorded two of its three clusters, then failed before writing the wave members.
    const lane = { lane: 1, accountId: ACCOUNT, region: 'eu-west-1' };
    await store.putLanes(RUN, [{ lane, entries: [{ name: 'short', roleArn: ROLE }, { name: 'opted-out' }, { name: 'never-read' }, { name: 'long', roleArn: ROLE }] }]);
    const at = { accountId: ACCOUNT, region: 'eu-west-1', step: 'DiscoverLane' };
    await store.putDiscoveredClusters(RUN, [
      { ...at, clusterName: 'short', status: 'PENDING', wave: 'canary', expectedHops: 1 },
      { ...at, clusterName: 'long', status: 'PENDING', wave: 'canary', expectedHops: 3 },
      { ...at, clusterName: 'opted-out', status: 'SKIPPED', error: { name: 'ClusterSkippedError', message: 'opted out' } },
    ]);

    // Act
    const cursor = await indexWaves({ runId: RUN, options: { perLaneConcurrency: 2 } }, deps);

    // Assess
    expect(cursor).toEqual({ count: 1, next: 0, clusters: 2 });
    expect((await store.getWave(RUN, 0))?.lanes).toEqual([1]);
    expect((await store.getWaveMembers(RUN, 'canary', 1, 0))?.members).toEqual([
      { name: 'long', roleArn: ROLE, expectedHops: 3 },
      { name: 'short', roleArn: ROLE, expectedHops: 1 },
    ]);
    const records = await store.listRunClusters(RUN);
    expect(records.find((r) => r.cluster?.clusterName === 'never-read')?.cluster).toMatchObject({ status: 'FAILED', step: 'IndexWaves', error: { name: 'LaneDiscoveryIncomplete' } });
    expect((await store.getRunCounts(RUN)).counts).toEqual({ clusters: 4, pending: 2, discoverySkipped: 1, discoveryFailed: 1 });
    expect((await store.getLane(RUN, 1))?.discovered).toBe(true);
  });

  it("a selector's lane: its recorded clusters go on, and the lane counts as failed, since it may have had others", async () => {
    // Prepare
    const lane = { lane: 2, accountId: ACCOUNT, region: 'us-east-1', roleArn: ROLE };
    await store.putLanes(RUN, [{ lane, entries: null }]);
    await store.putDiscoveredClusters(RUN, [{ accountId: ACCOUNT, region: 'us-east-1', clusterName: 'found', step: 'DiscoverLane', status: 'PENDING', wave: '', expectedHops: 2 }]);

    // Act
    const cursor = await indexWaves({ runId: RUN }, deps);

    // Assess
    expect(cursor.clusters).toBe(1);
    expect((await store.getWaveMembers(RUN, '', 2, 0))?.members).toEqual([{ name: 'found', roleArn: ROLE, expectedHops: 2 }]);
    expect((await store.getRunCounts(RUN)).counts).toEqual({ clusters: 1, pending: 1, lanesFailed: 1 });
    const again = await indexWaves({ runId: RUN }, deps);
    expect(again).toEqual(cursor);
    expect((await store.getRunCounts(RUN)).counts).toEqual({ clusters: 1, pending: 1, lanesFailed: 1 });
  });
});
