import { seededRandom } from './fleet-generator.js';

/**
 * Polling policies compared on the same fleet and the same hop durations
 * (docs/benchmark.md#polling-why-the-policy-is-shaped-as-it-is). A policy is the list of times, in seconds after the
 * update call, at which it reads EKS; a hop is seen done at the first read at or after the moment it ended.
 */
export interface PeerPolicy {
  readonly name: string;
  readonly source: string;
  /** Read times after the update call for one hop, ascending, until `horizon` seconds; `random` is seeded per hop. */
  readonly readTimes: (horizon: number, random: () => number) => number[];
}

const fixed = (seconds: number): PeerPolicy => ({
  name: `fixed ${seconds} s`,
  source: 'a read every N seconds from the update call (the interval loops of scripts and simple controllers)',
  readTimes: (horizon) => Array.from({ length: Math.ceil(horizon / seconds) + 1 }, (_, i) => (i + 1) * seconds),
});

/**
 * The peers' schedules, as their source has them:
 * - the SDK waiter as eksctl uses it (aws-sdk-go-v2 AddonActiveWaiter, MinDelay 10 s, MaxDelay 120 s; the JS v3
 *   util-waiter is the same shape): one read at once, then the n-th retry after a random delay in
 *   [10, min(120, 10 × 2^(n−1))] s;
 * - Terraform's refresh (terraform-provider-aws waitAddonUpdateSuccessful through its retry.StateChangeConf): a read
 *   at once, then waits from 200 ms doubling up to 10 s;
 * - fixed intervals of 5, 10, 15 and 30 s.
 */
export const PEER_POLICIES: readonly PeerPolicy[] = [
  {
    name: 'SDK waiter (eksctl)',
    source: 'aws-sdk-go-v2 service/eks AddonActiveWaiter (MinDelay 10 s, MaxDelay 120 s), as eksctl pkg/actions/addon waits; smithy util-waiter poller.ts in JS v3',
    readTimes: (horizon, random) => {
      const times = [0];
      for (let n = 1; times[times.length - 1]! < horizon; n += 1) {
        const ceiling = Math.min(120, 10 * 2 ** (n - 1));
        times.push(times[times.length - 1]! + 10 + random() * (ceiling - 10));
      }
      return times;
    },
  },
  {
    name: 'Terraform refresh',
    source: 'terraform-provider-aws internal/service/eks waitAddonUpdateSuccessful → internal/retry StateChangeConf (first refresh at once, then 200 ms doubling, capped at 10 s)',
    readTimes: (horizon) => {
      const times = [0];
      for (let wait = 0.2; times[times.length - 1]! < horizon; wait = Math.min(10, wait * 2)) times.push(times[times.length - 1]! + wait);
      return times;
    },
  },
  fixed(5),
  fixed(10),
  fixed(15),
  fixed(30),
];

/** One hop as the run measured it. */
export interface ModelHop {
  /** Seconds from the update call until the hop could be seen done (EKS done and, with the gate, its soak over). */
  readonly doneSeconds: number;
  /** Seconds from the update call until the workflow saw it done (the PollHop that recorded it). */
  readonly seenSeconds: number;
  /** EKS reads the workflow made for it. */
  readonly reads: number;
}

/** One cluster as the run measured it. */
export interface ModelCluster {
  readonly lane: string;
  readonly wave: string;
  /** When its first task ran (orders the replay like the run). */
  readonly startedAt: number;
  /** First task to last task, seconds. */
  readonly spanSeconds: number;
  readonly hops: readonly ModelHop[];
}

/**
 * The run replayed with other hop lengths: each cluster keeps its own overhead (span minus its hops as seen), each
 * hop lasts `hopSeconds(hop)`; per wave (waves in order, barriers), each lane runs its clusters in the order they
 * started with `perLaneConcurrency` slots (list scheduling), lanes `lanesAtOnce` at a time. Returns the makespan.
 */
export function replayMakespan(clusters: readonly ModelCluster[], waveOrder: readonly string[], limits: { lanesAtOnce: number; perLaneConcurrency: number }, hopSeconds: (hop: ModelHop, hopKey: string) => number): number {
  const listSchedule = (durations: readonly number[], slots: number): number => {
    const free = Array.from({ length: Math.max(1, slots) }, () => 0);
    for (const d of durations) {
      let i = 0;
      for (let j = 1; j < free.length; j += 1) if (free[j]! < free[i]!) i = j;
      free[i] = free[i]! + d;
    }
    return Math.max(0, ...free);
  };
  let total = 0;
  for (const wave of waveOrder) {
    const lanes = new Map<string, ModelCluster[]>();
    for (const c of clusters) if (c.wave === wave) lanes.set(c.lane, [...(lanes.get(c.lane) ?? []), c]);
    const laneLengths = [...lanes.values()].map((list) =>
      listSchedule(
        [...list].sort((a, b) => a.startedAt - b.startedAt).map((c) => {
          const seen = c.hops.reduce((a, h) => a + h.seenSeconds, 0);
          return c.spanSeconds - seen + c.hops.reduce((a, h, i) => a + hopSeconds(h, `${c.lane}/${c.startedAt}/${i}`), 0);
        }),
        limits.perLaneConcurrency,
      ),
    );
    total += listSchedule(laneLengths, limits.lanesAtOnce);
  }
  return total;
}

/** A peer's reads for one hop and the moment it would see it done. */
export function peerDetection(policy: PeerPolicy, doneSeconds: number, random: () => number): { reads: number; seenSeconds: number } {
  const times = policy.readTimes(doneSeconds + 1, random);
  const index = times.findIndex((t) => t >= doneSeconds);
  const at = index === -1 ? times.length - 1 : index;
  return { reads: at + 1, seenSeconds: times[at]! };
}

export interface PolicyFigures {
  readonly policy: string;
  readonly source: string;
  readonly pollsPerHop: number;
  readonly meanDetectionSeconds: number;
  readonly worstDetectionSeconds: number;
  readonly oracleRatio: number;
}

/**
 * cni-fleet's measured policy and every peer's on the same hops: reads per hop, detection latency (seen − done) and
 * the replayed makespan over the replayed makespan with every hop seen the instant it was done (oracleRatio).
 */
export function comparePolicies(clusters: readonly ModelCluster[], waveOrder: readonly string[], limits: { lanesAtOnce: number; perLaneConcurrency: number }, seed: number): { ours: PolicyFigures; oracleSeconds: number; replayedSeconds: number; peers: PolicyFigures[] } {
  const hops = clusters.flatMap((c) => c.hops);
  const n = hops.length || 1;
  const oracleSeconds = replayMakespan(clusters, waveOrder, limits, (h) => h.doneSeconds);
  const replayedSeconds = replayMakespan(clusters, waveOrder, limits, (h) => h.seenSeconds);
  const latencies = hops.map((h) => Math.max(0, h.seenSeconds - h.doneSeconds));
  const ours: PolicyFigures = {
    policy: 'cni-fleet (measured)',
    source: 'this run',
    pollsPerHop: hops.reduce((a, h) => a + h.reads, 0) / n,
    meanDetectionSeconds: latencies.reduce((a, b) => a + b, 0) / n,
    worstDetectionSeconds: Math.max(0, ...latencies),
    oracleRatio: replayedSeconds / oracleSeconds,
  };
  const peers = PEER_POLICIES.map((policy) => {
    const random = seededRandom(seed);
    const seen = new Map<ModelHop, { reads: number; seenSeconds: number }>();
    for (const h of hops) seen.set(h, peerDetection(policy, h.doneSeconds, random));
    const all = [...seen.values()];
    const lat = hops.map((h) => seen.get(h)!.seenSeconds - h.doneSeconds);
    return {
      policy: policy.name,
      source: policy.source,
      pollsPerHop: all.reduce((a, s) => a + s.reads, 0) / n,
      meanDetectionSeconds: lat.reduce((a, b) => a + b, 0) / n,
      worstDetectionSeconds: Math.max(0, ...lat),
      oracleRatio: replayMakespan(clusters, waveOrder, limits, (h) => seen.get(h)!.seenSeconds) / oracleSeconds,
    };
  });
  return { ours, oracleSeconds, replayedSeconds, peers };
}
