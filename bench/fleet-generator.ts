import { FleetFile } from '../lib/fleet/fleet-file.js';
import { planPath } from '../lib/versions/plan-path.js';
import { loadCatalogue } from '../sim/catalogue/catalogue.js';

export interface GenerateFleetOptions {
  readonly clusters: number;
  /** Accounts the clusters are spread over (the first is 111122223333); 1 by default. */
  readonly accounts?: number;
  /** Regions per account (at most REGIONS.length); 4 by default. */
  readonly regions?: number;
  /** Same seed, same fleet. */
  readonly seed: number;
  /** Hops per cluster are drawn uniformly from 1..maxHops (the issue asks for 1–8). */
  readonly maxHops?: number;
  /**
   * The simulator's duration variation (settings.durationJitter: docs/simulator.md, "Update durations that vary");
   * 0 (default) keeps every update exactly as long as its nominal duration.
   */
  readonly durationJitter?: number;
}

/** A generated fleet, with each cluster's planned hop count (what PlanUpgrade will find). */
export interface GeneratedFleet {
  readonly fleet: FleetFile;
  readonly plannedHops: ReadonlyMap<string, number>;
}

/** The Regions clusters are spread over, the first `regions` of them. */
export const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-1', 'us-east-2', 'eu-central-1', 'ap-northeast-1', 'eu-west-2', 'ca-central-1', 'sa-east-1', 'ap-south-1', 'eu-north-1'] as const;
const ACCOUNT = '111122223333';
/** The account of lane `a`: the home account first, then 100000000001, 100000000002, … */
export const accountOf = (a: number): string => (a === 0 ? ACCOUNT : String(100_000_000_000 + a));
// Keys every build's schema accepts (sim/configuration-schemas.ts removes only later keys from older builds).
const CONFIGURATIONS = [undefined, '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true"}}', '{"env":{"WARM_IP_TARGET":"5","MINIMUM_IP_TARGET":"10"}}'];

/** mulberry32: a tiny seeded PRNG, so the fleet is the same on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every (Kubernetes minor, installed build) the catalogue offers, grouped by how many hops `default` is away. */
function startsByHops(maxHops: number): Map<number, { kubernetesVersion: string; version: string }[]> {
  const catalogue = loadCatalogue();
  const byHops = new Map<number, { kubernetesVersion: string; version: string }[]>();
  for (const kubernetesVersion of catalogue.kubernetesVersions) {
    const builds = catalogue.compatibleBuilds(kubernetesVersion);
    for (const build of builds) {
      const plan = planPath({ from: build.version, target: 'default', kubernetesVersion, builds });
      const hops = plan.hops.length;
      if (plan.blocked || hops < 1 || hops > maxHops) continue;
      const list = byHops.get(hops) ?? [];
      list.push({ kubernetesVersion, version: build.version });
      byHops.set(hops, list);
    }
  }
  return byHops;
}

/**
 * A deterministic fleet for the benchmark: hop counts uniform in 1..8 (each start is a build the simulator's
 * catalogue offers for the cluster's Kubernetes minor, planned with the same planPath PlanUpgrade uses), 3–30
 * nodes, spread round-robin over `accounts` × `regions` lanes, some custom configuration and IRSA roles, and waves as a real rollout has them: 1%
 * `canary`, 19% wave `1`, the rest untagged (last). Valid per lib/fleet/fleet-file.ts (parsed through it).
 *
 * @example
 * const { fleet, plannedHops } = generateFleet({ clusters: 1000, seed: 42 });
 */
export function generateFleet(options: GenerateFleetOptions): GeneratedFleet {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const maxHops = options.maxHops ?? 8;
  const starts = startsByHops(maxHops);
  const hopCounts = [...starts.keys()].sort((a, b) => a - b);
  const plannedHops = new Map<string, number>();
  const canaries = Math.max(1, Math.round(options.clusters * 0.01));
  const firstWave = Math.round(options.clusters * 0.19);
  const regions = Math.min(options.regions ?? 4, REGIONS.length);
  const lanes = (options.accounts ?? 1) * regions;
  const clusters = Array.from({ length: options.clusters }, (_, i) => {
    // Round-robin over the lanes (account × Region), so every lane gets its share of every wave.
    const lane = i % lanes;
    const accountId = accountOf(Math.floor(lane / regions));
    const role = `arn:aws:iam::${accountId}:role/AmazonEKSVPCCNIRole`;
    const hops = pick(hopCounts);
    const start = pick(starts.get(hops) ?? []);
    const name = `bench-${String(i + 1).padStart(5, '0')}`;
    plannedHops.set(name, hops);
    const wave = i < canaries ? 'canary' : i < canaries + firstWave ? '1' : undefined;
    const configurationValues = pick(CONFIGURATIONS);
    return {
      name,
      region: REGIONS[lane % regions],
      accountId,
      kubernetesVersion: start.kubernetesVersion,
      nodes: 3 + Math.floor(random() * 28),
      tags: { env: pick(['prod', 'staging', 'dev']), ...(wave ? { 'cni-fleet/wave': wave } : {}) },
      addon: {
        version: start.version,
        ...(configurationValues ? { configurationValues } : {}),
        ...(random() < 0.5 ? { serviceAccountRoleArn: role } : {}),
      },
    };
  });
  const fleet = FleetFile.parse({
    settings: { updateSeconds: 60, secondsPerNode: 2, ...(options.durationJitter ? { durationJitter: options.durationJitter, seed: options.seed % 2 ** 31 } : {}) },
    clusters,
  });
  return { fleet, plannedHops };
}
