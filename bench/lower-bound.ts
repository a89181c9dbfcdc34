import type { FleetFile } from '../lib/fleet/fleet-file.js';
import { compareWaves } from '../lib/fleet/lanes.js';

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
 * The virtual makespan no scheduler can beat, from the simulator's own durations: an update of a cluster with
 * `n` nodes takes `updateSeconds + secondsPerNode × n` (sim/lifecycle.ts changeDurationMs), a cluster's hops run
 * one after another, and at most `concurrency` clusters run at once. Within a wave that is
 * max(longest chain, total work / concurrency); waves are barriers, so their bounds add up.
 *
 * @param hopsByCluster hops each cluster actually completed in the run (a failed or blocked cluster adds 0)
 * @example
 * makespanBound(fleet, new Map([['c1', 3]]), 40).waveBoundSeconds // 3 × (60 + 2 × nodes)
 */
export function makespanBound(fleet: FleetFile, hopsByCluster: ReadonlyMap<string, number>, concurrency: number, waveTag = 'cni-fleet/wave'): MakespanBound {
  const { updateSeconds, secondsPerNode } = fleet.settings;
  const chains = new Map<string, number[]>();
  for (const cluster of fleet.clusters) {
    const wave = cluster.tags[waveTag] ?? '';
    const chain = (hopsByCluster.get(cluster.name) ?? 0) * (updateSeconds + secondsPerNode * cluster.nodes);
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
