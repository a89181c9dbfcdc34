import type { FleetFile } from '../lib/fleet/fleet-file.js';
import { compareWaves } from '../lib/fleet/lanes.js';
import { durationFactor } from '../sim/duration-jitter.js';

/** How the fleet workflow may run clusters at once (options.lanesAtOnce, options.perLaneConcurrency). */
export interface LaneLimits {
  readonly lanesAtOnce: number;
  readonly perLaneConcurrency: number;
}

/** One wave's share of the bound. */
export interface WaveBound {
  readonly wave: string;
  readonly clusters: number;
  readonly lanes: number;
  /** Σ of the wave's EKS update seconds. */
  readonly workSeconds: number;
  /** The longest single cluster's chain of updates in the wave. */
  readonly longestChainSeconds: number;
  /** The busiest lane: the shortest schedule of its clusters' chains on perLaneConcurrency slots (laneBoundSeconds). */
  readonly longestLaneSeconds: number;
  /** max(busiest lane, Σ lane bounds / lanesAtOnce, work / (lanesAtOnce × perLaneConcurrency)). */
  readonly boundSeconds: number;
  /**
   * The same with each lane's bound relaxed to max(its longest chain, its work / perLaneConcurrency), as if a lane's
   * clusters could be split evenly over its slots: the bound as it was before lanes were packed exactly.
   */
  readonly relaxedBoundSeconds: number;
}

export interface MakespanBound {
  /** Σ over waves of each wave's bound: waves run one after another (canaries first is a requirement). */
  readonly waveBoundSeconds: number;
  /** Σ over waves of the relaxed bounds (WaveBound.relaxedBoundSeconds). */
  readonly relaxedWaveBoundSeconds: number;
  /** The same without wave barriers (every cluster in one wave): what the canary-first design costs on top. */
  readonly poolBoundSeconds: number;
  readonly waves: WaveBound[];
}

/**
 * When, after an update is accepted, the last aws-node container of a fault-free rollout starts, in seconds: the
 * simulator's rollout (docs/simulator.md, "The rollout"): the template is observed after 1 s, pods are replaced
 * `maxUnavailable` (10% of the nodes, rounded up) at a time, a wave of k pods takes `podReadySeconds +
 * (k − 1) × concurrentStartSeconds` to become Ready, and a pod's containers start 30% into its start. The rollout
 * gate cannot pass a hop before this plus the soak.
 *
 * @example
 * lastContainerStartSeconds(3, { podReadySeconds: 5, concurrentStartSeconds: 2.5 }) // 1 + 2 × 5 + 0.3 × 5 = 12.5
 */
export function lastContainerStartSeconds(nodes: number, pace: { readonly podReadySeconds: number; readonly concurrentStartSeconds: number }): number {
  if (nodes <= 0) return 0;
  const start = (k: number): number => pace.podReadySeconds + (k - 1) * pace.concurrentStartSeconds;
  const wave = Math.max(1, Math.ceil(nodes * 0.1));
  const waves = Math.ceil(nodes / wave);
  const last = nodes - (waves - 1) * wave;
  return 1 + (waves - 1) * start(wave) + 0.3 * start(last);
}

// Search nodes the exact lane bound may visit before it settles for the classic bound (a lane of hundreds of
// clusters, where that bound is its work over its slots anyway).
const SEARCH_BUDGET = 200_000;

/**
 * The shortest time in which `slots` machines run every chain (each chain on one machine, start to end): no lane
 * whose clusters have these chains ends sooner with perLaneConcurrency = `slots`. Found exactly by branch and bound
 * (chains longest first, each onto a slot with a distinct load, cut when no better than the best found); when the
 * search exceeds its budget, the classic bound instead: max(longest chain, Σ / slots, and for every k ≥ 1 the k + 1
 * shortest of the k × slots + 1 longest chains — some slot runs k + 1 of them).
 *
 * @example
 * laneBoundSeconds([100, 100, 100, 100, 100], 4) // 200: one slot runs two clusters; Σ / slots says only 125
 */
export function laneBoundSeconds(chains: readonly number[], slots: number): number {
  const p = chains.filter((c) => c > 0).sort((a, b) => b - a);
  if (p.length === 0) return 0;
  if (p.length <= slots) return p[0]!;
  let floor = Math.max(p[0]!, p.reduce((a, b) => a + b, 0) / slots);
  for (let k = 1; k * slots < p.length; k += 1) floor = Math.max(floor, p.slice(k * slots - k, k * slots + 1).reduce((a, b) => a + b, 0));
  // The longest-first greedy schedule: an upper bound to start the search from.
  const loads = new Array<number>(slots).fill(0);
  for (const c of p) loads[loads.indexOf(Math.min(...loads))]! += c;
  let best = Math.max(...loads);
  loads.fill(0);
  let visited = 0;
  const search = (i: number, remaining: number): boolean => {
    if (best <= floor) return true;
    if ((visited += 1) > SEARCH_BUDGET) return false;
    if (i === p.length) {
      best = Math.min(best, Math.max(...loads));
      return true;
    }
    const total = loads.reduce((a, b) => a + b, 0) + remaining;
    if (Math.max(...loads, total / slots) >= best) return true;
    const tried = new Set<number>();
    for (let k = 0; k < slots; k += 1) {
      const load = loads[k]!;
      if (tried.has(load) || load + p[i]! >= best) continue;
      tried.add(load);
      loads[k] = load + p[i]!;
      const finished = search(i + 1, remaining - p[i]!);
      loads[k] = load;
      if (!finished) return false;
    }
    return true;
  };
  return search(0, p.reduce((a, b) => a + b, 0)) ? best : floor;
}

/**
 * The virtual makespan no schedule can beat, lane-aware. An update of a cluster with `n` nodes takes
 * `updateSeconds + secondsPerNode × n` (sim/lifecycle.ts) and, with the rollout gate's soak, cannot end before its last
 * aws-node container has run the soak (lastContainerStartSeconds + soak); a cluster's hops run one after another, a lane (account
 * × Region) runs at most `perLaneConcurrency` clusters at once and at most `lanesAtOnce` lanes run at once. Per wave:
 * a lane is one child execution of the wave's Distributed Map, so it holds one of the `lanesAtOnce` slots from its
 * start to its last cluster's end, which comes no sooner than the best packing of its clusters' chains onto its
 * `perLaneConcurrency` slots (laneBoundSeconds) — its lane bound; so the wave takes at least its busiest lane, Σ lane
 * bounds / lanesAtOnce, and its work over every slot, work / (lanesAtOnce × perLaneConcurrency). Waves are
 * barriers, so their bounds add up.
 *
 * @param hopsByCluster hops each cluster actually completed, by `account/region/name` (a failed or blocked cluster adds 0)
 * @param soakSeconds the rollout gate's soak (0 when the gate is off or has none)
 * @param hopTargets each cluster's completed hops' target versions, by `account/region/name`: with
 *   `settings.durationJitter` each hop then lasts its own varied duration (sim/duration-jitter.ts)
 * @example
 * makespanBound(fleet, new Map([['111122223333/us-east-1/c1', 3]]), { lanesAtOnce: 10, perLaneConcurrency: 5 }).waveBoundSeconds
 */
export function makespanBound(fleet: FleetFile, hopsByCluster: ReadonlyMap<string, number>, limits: LaneLimits, waveTag = 'cni-fleet/wave', soakSeconds = 0, hopTargets?: ReadonlyMap<string, readonly string[]>): MakespanBound {
  const { updateSeconds, secondsPerNode } = fleet.settings;
  // wave → lane → chains
  const waves = new Map<string, Map<string, number[]>>();
  for (const cluster of fleet.clusters) {
    const wave = cluster.tags[waveTag] ?? '';
    const lane = `${cluster.accountId}/${cluster.region}`;
    const settled = soakSeconds > 0 ? lastContainerStartSeconds(cluster.nodes, fleet.settings) + soakSeconds : 0;
    const nominal = updateSeconds + secondsPerNode * cluster.nodes;
    // With durations that vary, each hop's own duration (the simulator's factor for its target version).
    const targets = fleet.settings.durationJitter > 0 ? hopTargets?.get(`${lane}/${cluster.name}`) : undefined;
    const chain = targets
      ? targets.reduce((a, targetVersion) => a + Math.max(nominal * durationFactor(fleet.settings, { accountId: cluster.accountId, region: cluster.region, name: cluster.name, targetVersion }), settled), 0)
      : (hopsByCluster.get(`${lane}/${cluster.name}`) ?? 0) * Math.max(nominal, settled);
    const lanes = waves.get(wave) ?? new Map<string, number[]>();
    lanes.set(lane, [...(lanes.get(lane) ?? []), chain]);
    waves.set(wave, lanes);
  }
  const relaxedLane = (chains: readonly number[]): number => Math.max(0, ...chains, chains.reduce((a, b) => a + b, 0) / limits.perLaneConcurrency);
  const exactLane = (chains: readonly number[]): number => laneBoundSeconds(chains, limits.perLaneConcurrency);
  const boundOf = (lanes: ReadonlyMap<string, readonly number[]>, laneBound: (chains: readonly number[]) => number) => {
    const laneBounds = [...lanes.values()].map(laneBound);
    const all = [...lanes.values()].flat();
    const work = all.reduce((a, b) => a + b, 0);
    const longestLane = Math.max(0, ...laneBounds);
    const bound = Math.max(longestLane, laneBounds.reduce((a, b) => a + b, 0) / limits.lanesAtOnce, work / (limits.lanesAtOnce * limits.perLaneConcurrency));
    return { work, longest: Math.max(0, ...all), longestLane, bound, clusters: all.length, lanes: lanes.size };
  };
  const perWave = [...waves.keys()].sort(compareWaves).map((wave) => {
    const b = boundOf(waves.get(wave)!, exactLane);
    const relaxed = boundOf(waves.get(wave)!, relaxedLane);
    return { wave: wave || '(untagged)', clusters: b.clusters, lanes: b.lanes, workSeconds: b.work, longestChainSeconds: b.longest, longestLaneSeconds: b.longestLane, boundSeconds: b.bound, relaxedBoundSeconds: relaxed.bound };
  });
  const pooled = new Map<string, number[]>();
  for (const lanes of waves.values()) for (const [lane, chains] of lanes) pooled.set(lane, [...(pooled.get(lane) ?? []), ...chains]);
  return {
    waveBoundSeconds: perWave.reduce((a, w) => a + w.boundSeconds, 0),
    relaxedWaveBoundSeconds: perWave.reduce((a, w) => a + w.relaxedBoundSeconds, 0),
    poolBoundSeconds: boundOf(pooled, exactLane).bound,
    waves: perWave,
  };
}
