import type { EksOperation, Fault } from '../lib/fleet/fleet-file.js';
import { EksApiError } from './eks-api-error.js';
import type { FaultState, SimCluster } from './model.js';
import { buildNumbers, upstreamTag } from './versions.js';

// fleet-file.ts, Fault.count: "THROTTLE and SERVER_ERROR default to 3, the others to every match".
const REQUEST_FAULT_DEFAULT_COUNT = 3;

/** Runtime state for a cluster's faults: how many firings each has left. */
export function faultStates(faults: readonly Fault[]): FaultState[] {
  return faults.map((fault) => ({
    fault,
    remaining: fault.count ?? (fault.effect === 'THROTTLE' || fault.effect === 'SERVER_ERROR' ? REQUEST_FAULT_DEFAULT_COUNT : Infinity),
  }));
}

/**
 * `toVersion` glob match (`v1.15.*`). A glob without an `-eksbuild` part also matches every build of the
 * upstream version it names (`v1.15.1` matches `v1.15.1-eksbuild.1`).
 */
export function matchesVersionGlob(glob: string, version: string): boolean {
  const pattern = new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  if (pattern.test(version)) return true;
  return !glob.includes('-eksbuild') && buildNumbers(version) !== undefined && pattern.test(upstreamTag(version));
}

/**
 * THROTTLE / SERVER_ERROR for one request: the first matching fault with firings left fires (and uses one
 * up). A fault without `operation` fires on requests about its own cluster; with `operation` it fires on that
 * operation only, including the region-wide ones (ListClusters, DescribeAddonVersions, …) when `ownCluster`
 * is false.
 */
export function takeRequestFault(clusters: readonly SimCluster[], operation: EksOperation, ownCluster: SimCluster | undefined): EksApiError | undefined {
  const candidates = ownCluster ? [ownCluster] : clusters;
  for (const cluster of candidates) {
    for (const state of cluster.faults) {
      const { fault } = state;
      if (fault.effect !== 'THROTTLE' && fault.effect !== 'SERVER_ERROR') continue;
      if (state.remaining <= 0) continue;
      if (fault.operation ? fault.operation !== operation : !ownCluster) continue;
      state.remaining -= 1;
      const fields = ownCluster ? { clusterName: ownCluster.name } : {};
      // Messages UNVERIFIED (facts §7.2: ServerException texts were not found; ThrottlingException is AWS's
      // generic "Rate exceeded").
      return fault.effect === 'THROTTLE'
        ? new EksApiError('ThrottlingException', fault.errorMessage ?? 'Rate exceeded', fields)
        : new EksApiError('ServerException', fault.errorMessage ?? 'An internal error occurred. Please try again.', fields);
    }
  }
  return undefined;
}

/** The faults that shape one accepted add-on create/update moving to `targetVersion`. */
export interface ChangeFaults {
  /** UPDATE_FAILED, DEGRADED or STUCK: how the change ends. */
  outcome?: Fault;
  /** SLOW: how long it takes. */
  slow?: Fault;
}

/**
 * Picks (and uses up) the faults for a change: the first matching outcome fault and the first matching SLOW.
 * Consuming at acceptance, not at completion, keeps the outcome fixed however the clock is read.
 */
export function takeChangeFaults(cluster: SimCluster, targetVersion: string): ChangeFaults {
  const found: ChangeFaults = {};
  for (const state of cluster.faults) {
    const { fault } = state;
    if (state.remaining <= 0) continue;
    if (fault.toVersion !== undefined && !matchesVersionGlob(fault.toVersion, targetVersion)) continue;
    if ((fault.effect === 'UPDATE_FAILED' || fault.effect === 'DEGRADED' || fault.effect === 'STUCK') && !found.outcome) {
      found.outcome = fault;
      state.remaining -= 1;
    } else if (fault.effect === 'SLOW' && !found.slow) {
      found.slow = fault;
      state.remaining -= 1;
    }
  }
  return found;
}

/** CLUSTER_DELETED's `afterUpdates` (default 1), or undefined when the cluster has no such fault. */
export function deletionThreshold(faults: readonly Fault[]): number | undefined {
  const fault = faults.find((f) => f.effect === 'CLUSTER_DELETED');
  return fault ? (fault.afterUpdates ?? 1) : undefined;
}
