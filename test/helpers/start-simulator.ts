import { EKSClient } from '@aws-sdk/client-eks';
import type { z } from 'zod';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { parseOrThrow } from '../../lib/validation/parse-or-throw.js';
import { startSimulator, type Simulator } from '../../sim/server.js';

/** Dummy credentials: the simulator reads only the access key id (a 12-digit one scopes to that account). */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDSIMULATORTEST', secretAccessKey: 'simulator-secret' } as const;

/** A fleet file as written by hand: defaults (region, accountId, status, settings, …) may be left out. */
export type FleetLike = z.input<typeof FleetFile>;

export interface TestClientOptions {
  region?: string;
  /** A 12-digit value scopes requests to that account. */
  accessKeyId?: string;
  maxAttempts?: number;
}

export interface TestSimulator extends Simulator {
  /** An EKSClient on the simulator: region us-east-1, dummy credentials, default retries. */
  readonly eks: EKSClient;
  /** Another client, e.g. for another region or account. Closed with the simulator. */
  client(options?: TestClientOptions): EKSClient;
}

/**
 * Starts a simulator for a test (the pattern of ky's createHttpTestServer): ephemeral port, unref'd, fleet
 * run through the FleetFile schema, fast clock. Closing it (in afterAll) is the caller's job.
 *
 * @example
 * const sim = await startTestSimulator({ clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } }] });
 * await sim.eks.send(new DescribeAddonCommand({ clusterName: 'c1', addonName: 'vpc-cni' }));
 * await sim.close();
 */
export async function startTestSimulator(fleet: FleetLike, options: { speed?: number } = {}): Promise<TestSimulator> {
  const parsed = parseOrThrow(FleetFile, fleet, 'fleet');
  const sim = await startSimulator({ fleet: parsed, speed: options.speed ?? 1000, unref: true });
  const clients: EKSClient[] = [];
  const client = (o: TestClientOptions = {}): EKSClient => {
    const eks = new EKSClient({
      endpoint: sim.endpoint,
      region: o.region ?? 'us-east-1',
      credentials: { ...TEST_CREDENTIALS, ...(o.accessKeyId ? { accessKeyId: o.accessKeyId } : {}) },
      ...(o.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
    });
    clients.push(eks);
    return eks;
  };
  const eks = client();
  const closeServer = sim.close;
  return Object.assign(sim, {
    eks,
    client,
    close: async () => {
      for (const c of clients) c.destroy();
      await closeServer();
    },
  });
}

/**
 * Reads until `done` holds, at most `attempts` times `intervalMs` apart; throws with the last value
 * otherwise. For waiting on simulated time without asserting on durations.
 *
 * @example
 * await pollUntil(() => describeAddon(), (r) => r.addon?.status === 'ACTIVE');
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { attempts = 300, intervalMs = 10 }: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`pollUntil: condition not met after ${attempts} attempts; last value: ${JSON.stringify(last)}`);
}
