import { createHash } from 'node:crypto';
import type { SimulatorSettings } from '../lib/fleet/fleet-file.js';

/** What identifies one hop of one cluster: the factor is a function of these and the seed, nothing else. */
export interface HopIdentity {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  /** The version the hop moves to. */
  readonly targetVersion: string;
}

/** Two independent uniforms in (0, 1) from one hash: 48 bits each. */
function uniforms(text: string): [number, number] {
  const digest = createHash('sha256').update(text).digest();
  const scale = 2 ** 48;
  return [(digest.readUIntBE(0, 6) + 0.5) / scale, (digest.readUIntBE(6, 6) + 0.5) / scale];
}

/**
 * How much longer (> 1) or shorter (< 1) than nominal this hop's update runs: a lognormal factor with median 1 and
 * log-standard deviation ln(1 + durationJitter), so with 0.2 two hops in three land within ×/÷ 1.2 of nominal and
 * the slow tail is long (one in forty beyond 1.44×). Real EKS updates are not punctual; a polling policy tuned to
 * exact durations would look better here than it is. The factor is derived from (seed, account, Region, cluster,
 * target version) by hashing, not drawn from a shared random stream, so it does not depend on which request came
 * first. 1 when durationJitter is 0.
 *
 * @example
 * durationFactor({ durationJitter: 0.2, seed: 7 }, { accountId: '111122223333', region: 'us-east-1', name: 'c1', targetVersion: 'v1.19.2-eksbuild.1' }) // e.g. 1.13
 */
export function durationFactor(settings: Pick<SimulatorSettings, 'durationJitter' | 'seed'>, hop: HopIdentity): number {
  if (settings.durationJitter === 0) return 1;
  const [u1, u2] = uniforms(`${settings.seed}/${hop.accountId}/${hop.region}/${hop.name}/${hop.targetVersion}`);
  // Box–Muller: a standard normal from two uniforms.
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  return Math.exp(Math.log(1 + settings.durationJitter) * z);
}
