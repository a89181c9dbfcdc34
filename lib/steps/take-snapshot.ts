import { DescribeAddonCommand, DescribeClusterCommand } from '@aws-sdk/client-eks';
import { AddonBusyError, AddonUnhealthyError, ClusterNotActiveError, ClusterNotFoundError, ClusterSkippedError } from '../errors.js';
import { isNotFound, translateEksError } from '../aws/eks-errors.js';
import type { ClusterState, Snapshot } from '../workflow/state.js';
import { ADDON_NAME } from './eks-catalogue.js';
import type { StepDeps } from './step-deps.js';

// The control plane is busy but will settle: the step is retried (bounded) by the state machine.
const TRANSIENT_CLUSTER = new Set(['CREATING', 'UPDATING', 'PENDING']);
// The add-on is mid-change by someone else: wait for it, then snapshot what it settled on.
const BUSY_ADDON = new Set(['CREATING', 'UPDATING', 'DELETING']);
// An add-on that is already broken is not upgraded on top: an operator looks first.
const BROKEN_ADDON = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DEGRADED', 'DELETE_FAILED']);

/**
 * TakeSnapshot: reads the cluster (DescribeCluster) and its vpc-cni add-on (DescribeAddon) and stores version,
 * configurationValues, serviceAccountRoleArn and pod identity associations in DynamoDB before the first change.
 *
 * @throws ClusterNotActiveError / AddonBusyError while something else is changing (retried by the ASL)
 * @throws ClusterNotFoundError, ClusterSkippedError, AddonUnhealthyError: the cluster is left alone
 * @example
 * const snapshot = await takeSnapshot(state, deps); // { addonVersion: 'v1.12.6-eksbuild.2', configurationValues: '{…}', … }
 */
export async function takeSnapshot(state: Pick<ClusterState, 'runId' | 'cluster'>, deps: StepDeps): Promise<Snapshot> {
  const { name, region, roleArn, key } = state.cluster;
  const eks = deps.eksFor({ region, roleArn });
  const ref = { clusterName: name, region };
  const cluster = await eks.send(new DescribeClusterCommand({ name })).then(
    (out) => out.cluster,
    (error: unknown) => translateEksError(error, ref),
  );
  if (!cluster) throw new ClusterNotFoundError(name, region);
  const status = cluster.status ?? 'UNKNOWN';
  if (TRANSIENT_CLUSTER.has(status)) throw new ClusterNotActiveError(name, status);
  if (status !== 'ACTIVE') throw new ClusterSkippedError(name, `the control plane is ${status}`);
  // EKS Auto Mode runs the VPC CNI itself; there is no add-on to manage (README, Failure behaviour).
  if (cluster.computeConfig?.enabled) throw new ClusterSkippedError(name, 'EKS Auto Mode manages the VPC CNI on this cluster');

  const addon = await eks.send(new DescribeAddonCommand({ clusterName: name, addonName: ADDON_NAME })).then(
    (out) => out.addon,
    (error: unknown) => (isNotFound(error) && !/No cluster found/i.test((error as Error).message) ? undefined : translateEksError(error, ref)),
  );
  if (!addon)
    throw new ClusterSkippedError(name, 'vpc-cni runs as the self-managed aws-node DaemonSet; migrating it needs Kubernetes API access (issue #6)');
  const addonStatus = addon.status ?? 'UNKNOWN';
  if (BUSY_ADDON.has(addonStatus)) throw new AddonBusyError(name, addonStatus);
  const issues = addon.health?.issues ?? [];
  if (BROKEN_ADDON.has(addonStatus) || issues.length > 0)
    throw new AddonUnhealthyError(name, addonStatus, issues.map((i) => ({ code: i.code ?? '', message: i.message ?? '' })));

  const snapshot: Snapshot = {
    clusterArn: cluster.arn ?? '',
    kubernetesVersion: cluster.version ?? '',
    platformVersion: cluster.platformVersion ?? null,
    install: 'managed',
    addonVersion: addon.addonVersion ?? '',
    addonStatus,
    configurationValues: addon.configurationValues ?? null,
    serviceAccountRoleArn: addon.serviceAccountRoleArn ?? null,
    podIdentityAssociations: [...(addon.podIdentityAssociations ?? [])].sort(),
    takenAt: deps.now().toISOString(),
  };
  const stored = await deps.store.putSnapshot(state.runId, key, snapshot);
  await deps.store.updateCluster(state.runId, key, { step: 'TakeSnapshot', from: snapshot.addonVersion });
  return { ...snapshot, takenAt: stored.snapshot.takenAt };
}
