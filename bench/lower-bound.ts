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
  /** The busiest lane: max(its longest chain, its work / perLaneConcurrency). */
  readonly longestLaneSeconds: number;
  /** max(busiest lane, Σ lane bounds / lanesAtOnce, work / (lanesAtOnce × perLaneConcurrency)). */
  readonly boundSeconds: number;
}

export interface MakespanBound {
  /** Σ over waves of each wave's bound: waves run one after another (canaries first is a requirement). */
  readonly waveBoundSeconds: number;
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

/**
 * The virtual makespan no schedule can beat, lane-aware. An update of a cluster with `n` nodes takes
 * `updateSeconds + secondsPerNode × n` (sim/lifecycle.ts) and, with the rollout gate's soak, cannot end before its last
 * aws-node container has run the soak (lastContainerStartSeconds + soak); a cluster's hops run one after another, a lane (account
 * × Region) runs at most `perLaneConcurrency` clusters at once and at most `lanesAtOnce` lanes run at once. Per wave:
 * no lane ends before max(its longest chain, its work / perLaneConcurrency) — its lane bound; a lane holds one of the
 * `lanesAtOnce` slots at least that long, so the wave takes at least Σ lane bounds / lanesAtOnce, and at least its
 * work over every slot, work / (lanesAtOnce × perLaneConcurrency). Waves are barriers, so their bounds add up.
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
  const boundOf = (lanes: ReadonlyMap<string, readonly number[]>) => {
    const laneBounds = [...lanes.values()].map((chains) => Math.max(0, ...chains, chains.reduce((a, b) => a + b, 0) / limits.perLaneConcurrency));
    const all = [...lanes.values()].flat();
    const work = all.reduce((a, b) => a + b, 0);
    const longestLane = Math.max(0, ...laneBounds);
    const bound = Math.max(longestLane, laneBounds.reduce((a, b) => a + b, 0) / limits.lanesAtOnce, work / (limits.lanesAtOnce * limits.perLaneConcurrency));
    return { work, longest: Math.max(0, ...all), longestLane, bound, clusters: all.length, lanes: lanes.size };
  };
  const perWave = [...waves.keys()].sort(compareWaves).map((wave) => {
    const b = boundOf(waves.get(wave)!);
    return { wave: wave || '(untagged)', clusters: b.clusters, lanes: b.lanes, workSeconds: b.work, longestChainSeconds: b.longest, longestLaneSeconds: b.longestLane, boundSeconds: b.bound };
  });
  const pooled = new Map<string, number[]>();
  for (const lanes of waves.values()) for (const [lane, chains] of lanes) pooled.set(lane, [...(pooled.get(lane) ?? []), ...chains]);
  return { waveBoundSeconds: perWave.reduce((a, w) => a + w.boundSeconds, 0), poolBoundSeconds: boundOf(pooled).bound, waves: perWave };
}
