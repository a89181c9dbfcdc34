import { newCatalogueCache } from '../../lib/addon/eks-catalogue.js';
import { createAwsClients, type AwsClientOptions } from '../../lib/aws/clients.js';
import { localNotifier } from '../../lib/controls/notifier.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import type { StepDeps } from '../../lib/steps/step-deps.js';
import { createProgressStore } from '../../lib/store/progress-store.js';
import { startSimulator, type Simulator } from '../../sim/server.js';
import { startTestDynamo, type TestDynamo } from './start-dynamo.js';
import type { FleetLike } from './start-simulator.js';

/** A simulator, a dynalite table and the steps' dependencies on both, for tests that call the steps one by one. */
export interface StepRig {
  readonly sim: Simulator;
  readonly dynamo: TestDynamo;
  readonly deps: StepDeps;
  close(): Promise<void>;
}

export interface StepRigOptions {
  /** What the steps' clients sign with. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Credentials the simulator knows (any other is refused): default, any. */
  readonly knownCredentials?: readonly { readonly accessKeyId: string; readonly secretAccessKey: string }[];
  /** How the clients reach another account (createAwsClients' option). */
  readonly accountCredentials?: AwsClientOptions['accountCredentials'];
}

/**
 * Starts the simulator on `fleet` (fast clock) and dynalite, and builds StepDeps on them: the steps run with the real
 * SDK against both, on the simulator's clock, in the home account 111122223333 and Region us-east-1. The caller
 * closes it (afterAll).
 *
 * @example
 * const rig = await startStepRig({ settings: { updateSeconds: 30 }, clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' } }] }, { credentials: TEST_CREDENTIALS });
 * await takeSnapshot(state, rig.deps);
 */
export async function startStepRig(fleet: FleetLike, options: StepRigOptions): Promise<StepRig> {
  const sim = await startSimulator({ fleet: parseFleetFile(JSON.stringify(fleet)), speed: 1000, unref: true, ...(options.knownCredentials ? { knownCredentials: options.knownCredentials } : {}) });
  const dynamo = await startTestDynamo();
  const { eksFor, cloudWatchFor } = createAwsClients({
    region: 'us-east-1',
    eksEndpoint: sim.endpoint,
    cloudWatchEndpoint: sim.endpoint,
    credentials: options.credentials,
    ...(options.accountCredentials ? { accountCredentials: options.accountCredentials } : {}),
  });
  const now = (): Date => new Date(sim.clock.now());
  const deps: StepDeps = { eksFor, store: createProgressStore({ doc: dynamo.doc, tableName: dynamo.tableName, now }), now, accountId: '111122223333', cache: newCatalogueCache(), cloudWatchFor, region: 'us-east-1', notifier: localNotifier() };
  return {
    sim,
    dynamo,
    deps,
    close: async () => {
      await sim.close();
      await dynamo.close();
    },
  };
}
