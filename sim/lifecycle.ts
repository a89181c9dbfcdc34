import type { Fault, SimulatorSettings } from '../lib/fleet/fleet-file.js';
import { durationFactor } from './duration-jitter.js';
import type { ChangeFaults } from './faults.js';
import type { AddonStatus, ChangeOutcome, ClusterStatus, SimCluster, SimIssue } from './model.js';
import { conflictMessage, selfManagedFromAddon } from './self-managed.js';

/** docs/eks-behaviour.md#the-update-lifecycle: the health issue real EKS reported for an unhealthy vpc-cni. */
export const INSUFFICIENT_REPLICAS: SimIssue = {
  code: 'InsufficientNumberOfReplicas',
  message: "The add-on is unhealthy because it doesn't have the desired number of replicas.",
  resourceIds: null,
};

/**
 * A failed apply as EKS reports it (docs/eks-behaviour.md#conflict-resolution, conflict line from
 * aws/amazon-vpc-cni-k8s#2150).
 */
export const DEFAULT_CONFLICT: SimIssue = {
  code: 'ConfigurationConflict',
  message: conflictMessage(['DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].resources.requests.cpu']),
  resourceIds: null,
};

/** Add-on states in which EKS is busy with it: UpdateAddon answers 409 (docs/eks-behaviour.md#error-messages). */
export const BUSY_STATES: ReadonlySet<AddonStatus> = new Set(['CREATING', 'UPDATING', 'DELETING']);

/**
 * How long an accepted create or update towards `targetVersion` runs, in virtual ms: the base plus a per-node cost
 * (docs/simulator.md), times this hop's duration factor (1 unless `durationJitter` is set, sim/duration-jitter.ts). SLOW
 * replaces it with its `durationSeconds` (default: ten times the normal duration).
 */
export function changeDurationMs(cluster: SimCluster, settings: SimulatorSettings, targetVersion: string, slow?: Fault): number {
  const nominal = settings.updateSeconds + cluster.nodes * settings.secondsPerNode;
  const normal = nominal * durationFactor(settings, { accountId: cluster.accountId, region: cluster.region, name: cluster.name, targetVersion });
  return Math.round((slow ? (slow.durationSeconds ?? normal * 10) : normal) * 1000);
}

/** The end an accepted change heads for, from the outcome fault (UPDATE_FAILED, DEGRADED; STUCK never ends). */
export function outcomeOf(faults: ChangeFaults): ChangeOutcome {
  const fault = faults.outcome;
  if (fault?.effect === 'UPDATE_FAILED') {
    const code = fault.errorCode ?? DEFAULT_CONFLICT.code;
    const message = fault.errorMessage ?? DEFAULT_CONFLICT.message;
    return {
      kind: 'failed',
      error: { errorCode: code, errorMessage: message, resourceIds: null },
      issue: { code, message, resourceIds: null },
    };
  }
  if (fault?.effect === 'DEGRADED')
    return {
      kind: 'degraded',
      issue: { code: fault.errorCode ?? INSUFFICIENT_REPLICAS.code, message: fault.errorMessage ?? INSUFFICIENT_REPLICAS.message, resourceIds: null },
    };
  return { kind: 'success' };
}

/** The control-plane status DescribeCluster reports now. */
export function clusterStatus(cluster: SimCluster): ClusterStatus {
  return cluster.controlPlaneUpdate ? 'UPDATING' : cluster.baseStatus;
}

/**
 * Applies every transition that is due at virtual time `now`: a finished control-plane update, a finished
 * add-on create/update/delete. Runs on every request instead of timers, so state depends only on the clock.
 */
export function settleCluster(cluster: SimCluster, now: number): void {
  const cp = cluster.controlPlaneUpdate;
  if (cp && cp.until !== null && now >= cp.until) {
    const update = cluster.updates.find((u) => u.id === cp.updateId);
    if (update) update.status = 'Successful';
    cluster.controlPlaneUpdate = undefined;
    // fleet-file.ts, CLUSTER_UPDATING: "UPDATING for durationSeconds from the start", then ACTIVE.
    cluster.baseStatus = 'ACTIVE';
  }
  const addon = cluster.addon;
  const pending = addon?.pending;
  if (!addon || !pending || pending.completesAt === null || now < pending.completesAt) return;
  const update = pending.updateId ? cluster.updates.find((u) => u.id === pending.updateId) : undefined;
  addon.pending = undefined;
  addon.modifiedAt = pending.completesAt;
  const { outcome } = pending;
  if (pending.kind === 'delete') {
    cluster.addon = undefined;
    cluster.updates = cluster.updates.filter((u) => u.addonName !== addon.addonName);
    if (pending.preserve) cluster.selfManaged = selfManagedFromAddon(addon.settings);
    return;
  }
  if (outcome.kind === 'failed') {
    // The version stays the old one on a failed update (UPDATE_FAILED: docs/eks-behaviour.md#the-update-lifecycle).
    addon.status = pending.kind === 'create' ? 'CREATE_FAILED' : 'UPDATE_FAILED';
    addon.issues = [outcome.issue];
    if (update) {
      update.status = 'Failed';
      update.errors = [outcome.error];
    }
    return;
  }
  addon.settings = pending.target;
  addon.status = outcome.kind === 'degraded' ? 'DEGRADED' : 'ACTIVE';
  addon.issues = outcome.kind === 'degraded' ? [outcome.issue] : [];
  if (update) update.status = 'Successful';
  // The managed add-on now owns the DaemonSet that was self-managed (CreateAddon over an existing install).
  if (pending.kind === 'create') cluster.selfManaged = undefined;
}
