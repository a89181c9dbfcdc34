import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorAccountCredentials } from '../../lib/aws/clients.js';
import { defaultOptions } from '../../lib/schemas/upgrade-options.js';
import { applyHop } from '../../lib/steps/apply-hop.js';
import { planUpgrade } from '../../lib/steps/plan-upgrade.js';
import { pollHop } from '../../lib/steps/poll-hop.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { takeSnapshot } from '../../lib/steps/take-snapshot.js';
import { takenSnapshot } from '../helpers/taken-snapshot.js';
import type { ClusterItem } from '../../lib/store/progress-store.js';
import type { ClusterState, HopState } from '../../lib/workflow/state.js';
import type { Simulator } from '../../sim/server.js';
import { startStepRig, type StepRig } from '../helpers/step-rig.js';

// The hop loop's steps one by one (no state machine), reading the cluster's progress record after each: the PollHop
// that finds a hop done moves `hopsDone` and `currentHop` on in one write, so ApplyHop writes the cluster only for the plan's first hop.
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('the cluster record through the hop loop', () => {
  let rig: StepRig | undefined;
  let sim: Simulator;
  let deps: StepDeps;

  beforeAll(async () => {
    rig = await startStepRig(
      { settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [{ name: 'two-hops', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' } }] },
      { credentials: CREDENTIALS, accountCredentials: simulatorAccountCredentials },
    );
    ({ sim, deps } = rig);
  });
  afterAll(async () => {
    await rig?.close();
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
