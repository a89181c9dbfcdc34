import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localNotifier } from '../../lib/controls/notifier.js';
import { createAwsClients, simulatorAccountCredentials } from '../../lib/aws/clients.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import { defaultOptions } from '../../lib/schemas/upgrade-options.js';
import { applyHop } from '../../lib/steps/apply-hop.js';
import { planUpgrade } from '../../lib/steps/plan-upgrade.js';
import { pollHop } from '../../lib/steps/poll-hop.js';
import { newCatalogueCache } from '../../lib/addon/eks-catalogue.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { takeSnapshot } from '../../lib/steps/take-snapshot.js';
import { takenSnapshot } from '../helpers/taken-snapshot.js';
import { createProgressStore, type ClusterItem } from '../../lib/store/progress-store.js';
import type { ClusterState, HopState } from '../../lib/workflow/state.js';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { startTestDynamo, type TestDynamo } from '../helpers/start-dynamo.js';

// The hop loop's steps one by one (no state machine), reading the cluster's progress record after each: the PollHop
// that finds a hop done moves `hopsDone` and `currentHop` on in one write, so ApplyHop writes the cluster only for the plan's first hop.
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('the cluster record through the hop loop', () => {
  let sim: Simulator;
  let dynamo: TestDynamo;
  let deps: StepDeps;

  beforeAll(async () => {
    const fleet = parseFleetFile(
      JSON.stringify({
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: [{ name: 'two-hops', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' } }],
      }),
    );
    sim = await startSimulator({ fleet, speed: 1000, unref: true });
    dynamo = await startTestDynamo();
    const { eksFor, cloudWatchFor } = createAwsClients({ region: 'us-east-1', eksEndpoint: sim.endpoint, cloudWatchEndpoint: sim.endpoint, credentials: CREDENTIALS, accountCredentials: simulatorAccountCredentials });
    const now = (): Date => new Date(sim.clock.now());
    deps = { eksFor, store: createProgressStore({ doc: dynamo.doc, tableName: dynamo.tableName, now }), now, accountId: '111122223333', cache: newCatalogueCache(), cloudWatchFor, region: 'us-east-1', notifier: localNotifier() };
  });
  afterAll(async () => {
    await sim?.close();
    await dynamo?.close();
  });

  it('shows the hop in progress and the hops done after every step, ending with no current hop', async () => {
    // Prepare
    const cluster = { name: 'two-hops', region: 'us-east-1', accountId: '111122223333', key: '111122223333/us-east-1/two-hops' };
    let state: ClusterState = { runId: 'run-records', executionId: 'exec-records', trigger: 'local', cluster, options: { ...defaultOptions(), target: 'v1.21.1-eksbuild.8' } };
    await deps.store.putCluster(state.runId, { accountId: cluster.accountId, region: cluster.region, clusterName: cluster.name, status: 'RUNNING' });
    state = { ...state, snapshot: takenSnapshot(await takeSnapshot(state, deps)) };
    state = { ...state, plan: await planUpgrade(state, deps) };
    const seen: Pick<ClusterItem, 'step' | 'currentHop' | 'hopsDone'>[] = [];
    const look = async (): Promise<void> => {
      const record = await deps.store.getCluster(state.runId, cluster.key);
      seen.push({ step: record?.step ?? null, currentHop: record?.currentHop ?? null, hopsDone: record?.hopsDone ?? -1 });
    };

    // Act
    // The poll that finds a hop done records it and names the next position (hop.next), as the ASL loops on it.
    for (let next = state.plan?.nextHop ?? 0; state.plan && next < state.plan.hopCount; next = state.hop?.next ?? Number.MAX_SAFE_INTEGER) {
      let hop: HopState = await applyHop(state, deps);
      await look();
      for (let poll = 0; poll < 20 && hop.status !== 'SUCCEEDED'; poll++) {
        sim.clock.advance(hop.waitSeconds * 1000);
        hop = await pollHop({ ...state, hop }, deps);
      }
      state = { ...state, hop };
      await look();
    }

    // Assess
    expect(state.plan?.hopCount).toBe(2);
    expect(seen).toEqual([
      { step: 'ApplyHop', currentHop: 1, hopsDone: 0 },
      { step: 'PollHop', currentHop: 2, hopsDone: 1 },
      { step: 'PollHop', currentHop: 2, hopsDone: 1 },
      { step: 'PollHop', currentHop: null, hopsDone: 2 },
    ]);
    const { hops } = (await deps.store.getRunCluster(state.runId, cluster.key))!;
    expect(hops.map((h) => [h.index, h.version, h.outcome])).toEqual([
      [1, 'v1.20.5-eksbuild.1', 'SUCCEEDED'],
      [2, 'v1.21.1-eksbuild.8', 'SUCCEEDED'],
    ]);
  });
});
