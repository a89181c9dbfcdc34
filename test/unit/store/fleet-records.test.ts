import { expect, it } from 'vitest';
import type { ProgressStore } from '../../../lib/store/progress-store.js';
import { describeStoreOnTargets } from '../../helpers/store-on-targets.js';

const RUN = 'fleet-run-1';

let store: ProgressStore;

/** Every test starts from an open run with its counters. */
async function openRun(fresh: ProgressStore): Promise<void> {
  store = fresh;
  await store.putRun({ runId: RUN, input: {}, trigger: 'local' });
  await store.initRunCounts(RUN);
}

describeStoreOnTargets('fleet records', { beforeEach: openRun }, () => {

  it('adds a lane’s counts once per marker, atomically, and keeps other markers apart', async () => {
    // Act: a retried task repeats its add; a second lane adds its own.
    const first = await store.addRunCounts(RUN, 'wave:0:3', { UPGRADED: 4, FAILED: 1, hops: 9 });
    const replay = await store.addRunCounts(RUN, 'wave:0:3', { UPGRADED: 4, FAILED: 1, hops: 9 });
    const other = await store.addRunCounts(RUN, 'wave:0:4', { UPGRADED: 2, hops: 2 });
    await store.initRunCounts(RUN);

    // Assess: initRunCounts again (a replayed PlanLanes) keeps them.
    expect([first, replay, other]).toEqual([true, false, true]);
    expect((await store.getRunCounts(RUN)).counts).toEqual({ UPGRADED: 6, FAILED: 1, hops: 11 });
  });

  it('stores a list in parts and reads it back in order; a reference that does not match is refused', async () => {
    // Prepare
    const clusters = Array.from({ length: 1234 }, (_, i) => ({ name: `c${i}`, region: 'us-east-1', accountId: '222233334444' }));

    // Act
    const ref = await store.putClusterList(RUN, clusters);
    const back = await store.readClusterList(RUN, ref);
    const wrong = await store.readClusterList(RUN, { parts: 3, count: 1235 }).catch((error: Error) => error);

    // Assess
    expect(ref).toEqual({ parts: 3, count: 1234 });
    expect(back).toEqual(clusters);
    expect(wrong).toMatchObject({ name: 'InputValidationError', field: 'clustersRef' });
  });

  it('pages a lane’s wave in order and reads their outcomes in batches over 100 keys', async () => {
    // Prepare
    const members = Array.from({ length: 450 }, (_, i) => ({ name: `m${String(i).padStart(3, '0')}`, expectedHops: 450 - i }));
    await store.putDiscoveredClusters(
      RUN,
      members.map((m, i) => ({ accountId: '111122223333', region: 'eu-west-1', clusterName: m.name, status: i % 3 ? 'UPGRADED' : 'FAILED', wave: 'canary', expectedHops: m.expectedHops })),
    );

    // Act
    const pageCount = await store.putWaveMembers(RUN, 'canary', 7, members);
    const pages = await Promise.all([0, 1, 2].map((p) => store.getWaveMembers(RUN, 'canary', 7, p)));
    const beyond = await store.getWaveMembers(RUN, 'canary', 7, 3);
    const index = await store.listWaveLanes(RUN);
    const outcomes = await store.getClusterOutcomes(RUN, members.map((m) => `111122223333/eu-west-1/${m.name}`));

    // Assess
    expect(pageCount).toBe(3);
    expect(pages.flatMap((p) => p!.members.map((m) => m.name))).toEqual(members.map((m) => m.name));
    expect(beyond).toBeNull();
    expect(index).toEqual([{ wave: 'canary', lane: 7, clusters: 450, hops: (450 * 451) / 2, longestHops: 450 }]);
    expect(outcomes).toHaveLength(450);
    expect(outcomes.filter((o) => o.status === 'FAILED')).toHaveLength(150);
  });
});
