import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddonRequestRejectedError, VerificationFailedError } from '../../lib/errors.js';
import { createManagedAddon } from '../../lib/steps/create-managed-addon.js';
import { defaultOptions } from '../../lib/schemas/upgrade-options.js';
import { applyHop } from '../../lib/steps/apply-hop.js';
import { planUpgrade } from '../../lib/steps/plan-upgrade.js';
import { pollHop } from '../../lib/steps/poll-hop.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { takeSnapshot } from '../../lib/steps/take-snapshot.js';
import { takenSnapshot } from '../helpers/taken-snapshot.js';
import type { ClusterState, HopState } from '../../lib/workflow/state.js';
import type { Simulator } from '../../sim/server.js';
import { startStepRig, type StepRig } from '../helpers/step-rig.js';

// The steps themselves (no state machine), with one thing changed on purpose between PlanUpgrade and ApplyHop: the
// CreateAddon request forgets a carried setting. The simulator's OVERWRITE resets the DaemonSet to the build's
// defaults plus what was sent, so the read-back after the create must catch it.
const KEY = { accessKeyId: 'AKIDFORGETFUL', secretAccessKey: 'forgetful-secret' };

describe('a migration that forgets a setting', () => {
  let rig: StepRig | undefined;
  let sim: Simulator;
  let deps: StepDeps;

  beforeAll(async () => {
    rig = await startStepRig(
      {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: [
          { name: 'forgetful', kubernetesVersion: '1.28', selfManaged: { version: 'v1.15.1', env: { WARM_IP_TARGET: '3', MINIMUM_IP_TARGET: '8' } } },
          { name: 'retried', kubernetesVersion: '1.28', selfManaged: { version: 'v1.15.1' } },
        ],
      },
      { credentials: KEY, knownCredentials: [KEY] },
    );
    ({ sim, deps } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('is caught when the DaemonSet is read back after the create, before any further hop', async () => {
    // Prepare
    const cluster = { name: 'forgetful', region: 'us-east-1', accountId: '111122223333', key: '111122223333/us-east-1/forgetful' };
    let state: ClusterState = { runId: 'run-forgetful', executionId: 'exec-forgetful', trigger: 'local', cluster, options: defaultOptions() };
    await deps.store.putCluster(state.runId, { accountId: cluster.accountId, region: cluster.region, clusterName: cluster.name, status: 'RUNNING' });
    state = { ...state, snapshot: takenSnapshot(await takeSnapshot(state, deps)) };
    const plan = await planUpgrade(state, deps);
    const migration = plan.migration!;
    expect(JSON.parse(migration.configurationValues!)).toEqual({ env: { MINIMUM_IP_TARGET: '8', WARM_IP_TARGET: '3' } });
    state = { ...state, plan: { ...plan, migration: { ...migration, configurationValues: '{"env":{"WARM_IP_TARGET":"3"}}' } } };
    // Act
    let hop: HopState = await applyHop(state, deps);
    let outcome: unknown;
    for (let poll = 0; poll < 20 && outcome === undefined && hop.status !== 'SUCCEEDED'; poll++) {
      sim.clock.advance(hop.waitSeconds * 1000);
      try {
        hop = await pollHop({ ...state, hop }, deps);
      } catch (error) {
        outcome = error;
      }
    }
    // Assess
    expect(outcome).toBeInstanceOf(VerificationFailedError);
    expect((outcome as VerificationFailedError).differences).toEqual(['after CreateAddon v1.15.5-eksbuild.1: env MINIMUM_IP_TARGET is absent, expected "8"']);
    expect(sim.cluster('forgetful')?.addon).toMatchObject({ addonVersion: 'v1.15.5-eksbuild.1', status: 'ACTIVE' });
    expect(sim.count({ operation: 'UpdateAddon' })).toBe(0);
  });

  it('CreateAddon is idempotent: a retry with another token adopts the add-on at the same build, refuses another build', async () => {
    // Prepare
    const eks = deps.eksFor({ accountId: '111122223333', region: 'us-east-1' });
    const cluster = { name: 'retried', region: 'us-east-1', accountId: '111122223333', key: '111122223333/us-east-1/retried' };
    const migration = { configurationValues: null, serviceAccountRoleArn: null, carried: [], untranslatable: [] };
    const create = (version: string, clientRequestToken: string) => createManagedAddon(eks, { cluster, version, migration, clientRequestToken });
    // Act
    const first = await create('v1.15.5-eksbuild.1', '00000000-0000-4000-8000-000000000001');
    const again = await create('v1.15.5-eksbuild.1', '00000000-0000-4000-8000-000000000002');
    const other = create('v1.15.1-eksbuild.1', '00000000-0000-4000-8000-000000000003');
    // Assess
    expect(again.addonArn).toBe(first.addonArn);
    await expect(other).rejects.toBeInstanceOf(AddonRequestRejectedError);
    expect(sim.calls.filter((c) => c.cluster === 'retried' && c.operation === 'CreateAddon').map((c) => c.status)).toEqual([200, 409, 409]);
  });
});
