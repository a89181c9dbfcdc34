import type { FleetFile } from '../lib/fleet/fleet-file.js';
import { compareWaves } from '../lib/steps/select-clusters.js';

/** One wave's share of the bound. */
export interface WaveBound {
  readonly wave: string;
  readonly clusters: number;
  /** Σ of the wave's EKS update seconds. */
  readonly workSeconds: number;
  /** The longest single cluster's chain of updates in the wave. */
  readonly longestChainSeconds: number;
  /** max(longest chain, work / concurrency). */
  readonly boundSeconds: number;
}

export interface MakespanBound {
  /** Σ over waves of each wave's bound: the fleet workflow runs one wave after another (RunWaves MaxConcurrency 1). */
  readonly waveBoundSeconds: number;
  /** The same without wave barriers (every cluster in one pool): what the canary-first design costs on top. */
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
 * The virtual makespan no scheduler can beat, from the simulator's own durations: an update of a cluster with
 * `n` nodes takes `updateSeconds + secondsPerNode × n` (sim/lifecycle.ts changeDurationMs) and, with the rollout
 * gate's soak, cannot end before its last aws-node container has run the soak (lastContainerStartSeconds + soak);
 * a cluster's hops run one after another, and at most `concurrency` clusters run at once. Within a wave that is
 * max(longest chain, total work / concurrency); waves are barriers, so their bounds add up.
 *
 * @param hopsByCluster hops each cluster actually completed in the run (a failed or blocked cluster adds 0)
 * @param soakSeconds the rollout gate's soak (0 when the gate is off or has none)
 * @example
 * makespanBound(fleet, new Map([['c1', 3]]), 40).waveBoundSeconds // 3 × (60 + 2 × nodes)
 */
export function makespanBound(fleet: FleetFile, hopsByCluster: ReadonlyMap<string, number>, concurrency: number, waveTag = 'cni-fleet/wave', soakSeconds = 0): MakespanBound {
  const { updateSeconds, secondsPerNode } = fleet.settings;
  const chains = new Map<string, number[]>();
  for (const cluster of fleet.clusters) {
    const wave = cluster.tags[waveTag] ?? '';
    const settled = soakSeconds > 0 ? lastContainerStartSeconds(cluster.nodes, fleet.settings) + soakSeconds : 0;
    const chain = (hopsByCluster.get(cluster.name) ?? 0) * Math.max(updateSeconds + secondsPerNode * cluster.nodes, settled);
    const list = chains.get(wave) ?? [];
    list.push(chain);
    chains.set(wave, list);
  }
  const boundOf = (list: readonly number[]) => {
    const work = list.reduce((a, b) => a + b, 0);
    const longest = Math.max(0, ...list);
    return { work, longest, bound: Math.max(longest, work / concurrency) };
  };
  const waves = [...chains.keys()].sort(compareWaves).map((wave) => {
    const list = chains.get(wave) ?? [];
    const { work, longest, bound } = boundOf(list);
    return { wave: wave || '(untagged)', clusters: list.length, workSeconds: work, longestChainSeconds: longest, boundSeconds: bound };
  });
  return {
    waveBoundSeconds: waves.reduce((a, w) => a + w.boundSeconds, 0),
    poolBoundSeconds: boundOf([...chains.values()].flat()).bound,
    waves,
  };
}
