import { KUBERNETES_ACCESS_FAULTS, POD_FAULTS, type EksOperation, type Fault, type FaultEffect } from '../lib/fleet/fleet-file.js';
import { EksApiError } from './eks-api-error.js';
import type { PendingJoin, PodTroubleKind, RevisionTrouble } from './kubernetes/daemonset-rollout.js';
import { nodeGroupsOf, type SimNode } from './kubernetes/nodes.js';
import { labelsMatch, parseLabelSelector } from './kubernetes/selectors.js';
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
      // Messages UNVERIFIED (docs/eks-behaviour.md#error-messages: ServerException texts were not found;
      // ThrottlingException is AWS's generic "Rate exceeded").
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
  /** POD_NOT_READY, NODE_AGENT_CRASH_LOOP, IMAGE_PULL_BACKOFF: what goes wrong in the new pods (all that match). */
  pods: Fault[];
  /** NODE_JOIN: nodes that join during the change (all that match). */
  joins: Fault[];
  /** ALARM: alarms the change raises (all that match). */
  alarms: Fault[];
}

/**
 * Picks (and uses up) the faults for a change: the first matching outcome fault and the first matching SLOW.
 * Consuming at acceptance, not at completion, keeps the outcome fixed however the clock is read.
 */
export function takeChangeFaults(cluster: SimCluster, targetVersion: string): ChangeFaults {
  const found: ChangeFaults = { pods: [], joins: [], alarms: [] };
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
    } else if (POD_FAULTS.has(fault.effect) || fault.effect === 'NODE_JOIN') {
      (fault.effect === 'NODE_JOIN' ? found.joins : found.pods).push(fault);
      state.remaining -= 1;
    } else if (fault.effect === 'ALARM') {
      found.alarms.push(fault);
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

const TROUBLE: Partial<Record<FaultEffect, PodTroubleKind>> = {
  POD_NOT_READY: 'not-ready',
  NODE_AGENT_CRASH_LOOP: 'agent-crash-loop',
  IMAGE_PULL_BACKOFF: 'image-pull',
};

/**
 * The pod faults of a change as troubles of the revision it writes. With a nodeSelector and no nodeCount a fault
 * hits every node whose labels match, nodes that join later included; otherwise it hits the first `nodeCount`
 * (default 1) matching nodes present now, in node order.
 */
export function revisionTroubles(nodes: readonly SimNode[], faults: readonly Fault[]): RevisionTrouble[] {
  return faults.map((fault) => {
    const kind = TROUBLE[fault.effect]!;
    // The fleet file's schema admitted the selector; a selector this parser refuses selects nothing.
    const selector = fault.nodeSelector === undefined ? [] : (parseLabelSelector(fault.nodeSelector) ?? [{ key: '-', op: 'exists' as const, values: [] }]);
    if (fault.nodeSelector !== undefined && fault.nodeCount === undefined) return { kind, selector, message: fault.errorMessage };
    const picked = nodes.filter((n) => n.runsAwsNode && labelsMatch(n.labels, selector)).slice(0, fault.nodeCount ?? 1);
    return { kind, nodes: new Set(picked.map((n) => n.name)), message: fault.errorMessage };
  });
}

/** NODE_JOIN faults of a change accepted at `now` as nodes due to join. */
export function pendingJoins(cluster: Pick<SimCluster, 'nodes' | 'nodeGroups'>, faults: readonly Fault[], now: number): PendingJoin[] {
  const firstGroup = nodeGroupsOf(cluster)[0]?.name ?? 'default';
  return faults.map((fault) => ({ at: now + (fault.afterSeconds ?? 0) * 1000, count: fault.nodeCount ?? 1, group: fault.nodeGroup ?? firstGroup }));
}

/**
 * The Kubernetes API fault for one request to the cluster's API server, if any: the first access fault with firings
 * left fires (and uses one up).
 */
export function takeKubernetesFault(cluster: SimCluster): FaultEffect | undefined {
  for (const state of cluster.faults) {
    if (!KUBERNETES_ACCESS_FAULTS.has(state.fault.effect) || state.remaining <= 0) continue;
    state.remaining -= 1;
    return state.fault.effect;
  }
  return undefined;
}
