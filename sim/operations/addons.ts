import { randomUUID } from 'node:crypto';
import { checkConfiguration, configurationRefusal } from '../configuration-check.js';
import { configurationSchemaFor } from '../configuration-schemas.js';
import {
  EksApiError,
  addonBusy,
  addonExists,
  addonNotFound,
  invalidParameter,
  oneMinorAtATime,
  versionNotSupported,
  type EksErrorFields,
} from '../eks-api-error.js';
import { takeChangeFaults } from '../faults.js';
import { BUSY_STATES, clusterStatus, outcomeOf } from '../lifecycle.js';
import { VPC_CNI, type AddonSettings, type ChangeOutcome, type SimAddon, type SimCluster, type SimUpdateParam } from '../model.js';
import { paginate } from '../pagination.js';
import { withinOneMinor } from '../versions.js';
import { renderAddon, renderUpdate } from '../render.js';
import { conflictMessage, selfManagedConflicts } from '../self-managed.js';
import type { SimWorld } from '../world.js';
import type { OperationHandler } from './context.js';
import {
  optionalPodIdentityAssociations,
  optionalResolveConflicts,
  optionalRoleArn,
  optionalString,
  optionalStringMap,
  requiredString,
} from './members.js';

function requireAddon(cluster: SimCluster, addonName: string): SimAddon {
  const addon = cluster.addon;
  if (!addon || addon.addonName !== addonName) throw addonNotFound(cluster.name, addonName);
  return addon;
}

/**
 * Add-on changes need an ACTIVE control plane. EKS refuses concurrent cluster changes with
 * `ResourceInUseException: Cannot <UpdateType> because cluster <name> currently has update <id> in progress`
 * (aws/aws-cdk#33452, aws-controllers-k8s/community#1192, seen for cluster-config updates); the simulator
 * answers add-on changes the same way, 409. Without an update in flight (a CREATING/FAILED/… cluster from the
 * fleet file) the text names the status instead: UNVERIFIED wording.
 */
function requireActiveCluster(cluster: SimCluster, action: string, fields: EksErrorFields): void {
  const status = clusterStatus(cluster);
  if (status === 'ACTIVE') return;
  const cp = cluster.controlPlaneUpdate;
  throw new EksApiError(
    'ResourceInUseException',
    cp
      ? `Cannot ${action} because cluster ${cluster.name} currently has update ${cp.updateId} in progress`
      : `Cannot ${action} because cluster ${cluster.name} is currently in ${status} state`,
    fields,
  );
}

/**
 * The build must exist and be offered for the cluster's Kubernetes version (docs/eks-behaviour.md#error-messages,
 * docs/eks-behaviour.md#vpc-cni-versions-and-builds).
 */
function requireCompatibleVersion(world: SimWorld, cluster: SimCluster, version: string, fields: EksErrorFields): void {
  const build = world.catalogue.find(version);
  if (!build || !build.kubernetesVersions.includes(cluster.kubernetesVersion)) throw versionNotSupported(fields.clusterName, fields.addonName ?? VPC_CNI);
}

/**
 * `configurationValues` must fit the target build's schema; EKS answers 400 with its message
 * (docs/vpc-cni-settings.md#eks-refusal-message).
 */
function requireValidConfiguration(version: string, text: string, fields: EksErrorFields): void {
  const verdict = checkConfiguration(configurationSchemaFor(version), text);
  if (!verdict.accepted) throw invalidParameter(configurationRefusal(verdict.reasons), fields);
}

/** ListAddons, paginated (docs/eks-behaviour.md#pagination). */
export const listAddons: OperationHandler = ({ world, scope, params, query }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const page = paginate(cluster.addon ? [cluster.addon.addonName] : [], query, `ListAddons/${cluster.uid}`, { clusterName: cluster.name });
  return { addons: page.items, nextToken: page.nextToken };
};

/** DescribeAddon; 404 `No addon: X found in cluster: Y` (docs/eks-behaviour.md#error-messages). */
export const describeAddon: OperationHandler = ({ world, scope, params }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  return { addon: renderAddon(cluster, requireAddon(cluster, params.addonName ?? '')) };
};

/**
 * CreateAddon: the add-on goes CREATING and, after the change duration, ACTIVE (no Update object,
 * as in EKS). Over a self-managed install with custom settings, NONE and PRESERVE end CREATE_FAILED with a
 * ConfigurationConflict issue listing the conflicting fields; OVERWRITE replaces them
 * (docs/eks-behaviour.md#conflict-resolution).
 */
export const createAddon: OperationHandler = ({ world, scope, params, body, now }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const addonName = requiredString(body, 'addonName', { clusterName: cluster.name });
  const fields = { clusterName: cluster.name, addonName };
  const token = optionalString(body, 'clientRequestToken');
  // Idempotency (docs/eks-behaviour.md#idempotency-tokens): the same token returns the add-on that request created.
  if (token !== undefined && cluster.addon?.createToken === token) return { addon: renderAddon(cluster, cluster.addon) };
  // UNVERIFIED wording: the simulator offers vpc-cni only.
  if (addonName !== VPC_CNI) throw invalidParameter(`Addon ${addonName} specified is not supported`, fields);
  if (cluster.addon) throw addonExists(cluster.name, addonName);
  requireActiveCluster(cluster, 'AddonCreate', fields);

  const addonVersion =
    optionalString(body, 'addonVersion') ?? world.catalogue.compatibleBuilds(cluster.kubernetesVersion).find((b) => b.isDefault)?.version;
  if (addonVersion === undefined) throw versionNotSupported(cluster.name, addonName);
  requireCompatibleVersion(world, cluster, addonVersion, fields);
  const resolveConflicts = optionalResolveConflicts(body, fields);
  const configurationValues = optionalString(body, 'configurationValues');
  if (configurationValues !== undefined) requireValidConfiguration(addonVersion, configurationValues, fields);
  const serviceAccountRoleArn = optionalRoleArn(body, 'serviceAccountRoleArn', fields);
  const podIdentityAssociations = optionalPodIdentityAssociations(body, fields) ?? [];
  const tags = optionalStringMap(body, 'tags') ?? {};

  // docs/eks-behaviour.md#conflict-resolution: the API default for an omitted resolveConflicts is UNVERIFIED; eksctl
  // documents NONE.
  const mode = resolveConflicts?.mode ?? 'NONE';
  const conflicts = cluster.selfManaged && mode !== 'OVERWRITE' ? selfManagedConflicts(cluster.selfManaged) : [];
  const target: AddonSettings = {
    addonVersion,
    configurationValues,
    serviceAccountRoleArn,
    podIdentityAssociations: world.podIdentityAssociations(cluster, podIdentityAssociations, now),
  };
  let outcome: ChangeOutcome;
  let completesAt: number | null;
  if (conflicts.length > 0) {
    // The apply fails on the conflicts: the self-managed DaemonSet stays as it is.
    const issue = { code: 'ConfigurationConflict', message: conflictMessage(conflicts), resourceIds: null };
    outcome = { kind: 'failed', issue, error: { errorCode: issue.code, errorMessage: issue.message, resourceIds: null } };
    completesAt = world.changeCompletesAt(cluster, now, addonVersion);
  } else {
    const faults = takeChangeFaults(cluster, addonVersion);
    world.alarms.raise(faults.alarms, cluster.name, now);
    outcome = outcomeOf(faults);
    if (outcome.kind !== 'failed') world.applyManifest(cluster, target, now, faults);
    completesAt = faults.outcome?.effect === 'STUCK' ? null : world.changeCompletesAt(cluster, now, addonVersion, faults.slow);
  }
  const addon = world.newAddon(cluster, target, now, tags);
  addon.createToken = token;
  addon.pending = { kind: 'create', completesAt, outcome, target };
  cluster.addon = addon;
  world.countAcceptedChange(cluster);
  return { addon: renderAddon(cluster, addon) };
};

/**
 * UpdateAddon (docs/eks-behaviour.md#what-updateaddon-does-with-omitted-members,
 * docs/eks-behaviour.md#the-update-lifecycle): validates, records an InProgress AddonUpdate with the requested
 * params, and moves the add-on to UPDATING; the change lands after its duration (lifecycle.ts).
 */
export const updateAddon: OperationHandler = ({ world, scope, params, body, now }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const addonName = params.addonName ?? '';
  const fields = { clusterName: cluster.name, addonName };
  const addon = requireAddon(cluster, addonName);
  const token = optionalString(body, 'clientRequestToken');
  // Idempotency (docs/eks-behaviour.md#idempotency-tokens): a retried request with the same token gets the same update,
  // not a 409.
  const replay = token === undefined ? undefined : cluster.updates.find((u) => u.addonName === addonName && u.clientRequestToken === token);
  if (replay) return { update: renderUpdate(replay) };
  requireActiveCluster(cluster, 'AddonUpdate', fields);
  // docs/eks-behaviour.md#error-messages: 409 while EKS is busy with the add-on. A failed or degraded add-on can be
  // updated again.
  if (BUSY_STATES.has(addon.status)) throw addonBusy(cluster.name, addonName, addon.status);

  const current = addon.settings;
  const requestedVersion = optionalString(body, 'addonVersion');
  // Omitted = unchanged (docs/eks-behaviour.md#omitted-version).
  const addonVersion = requestedVersion ?? current.addonVersion;
  if (requestedVersion !== undefined) {
    requireCompatibleVersion(world, cluster, requestedVersion, fields);
    // docs/eks-behaviour.md#the-one-minor-rule: "up or down 1 minor version at a time"; patch/eksbuild moves within a
    // minor are free.
    if (world.settings.oneMinorRule && !withinOneMinor(current.addonVersion, requestedVersion))
      throw oneMinorAtATime(cluster.name, addonName);
  }
  const resolveConflicts = optionalResolveConflicts(body, fields);
  const configurationValues = optionalString(body, 'configurationValues');
  // docs/eks-behaviour.md#omitted-configurationvalues: omitted keeps the current configuration, '{}' resets it.
  // Assumption: the configuration that will run on the target build, kept or sent, must fit that build's schema.
  const nextConfiguration = configurationValues ?? current.configurationValues;
  if (nextConfiguration !== undefined) requireValidConfiguration(addonVersion, nextConfiguration, fields);
  const serviceAccountRoleArn = optionalRoleArn(body, 'serviceAccountRoleArn', fields);
  const podIdentityAssociations = optionalPodIdentityAssociations(body, fields);

  const target: AddonSettings = {
    addonVersion,
    configurationValues: nextConfiguration,
    // docs/eks-behaviour.md#omitted-role: an omitted role reverts the add-on to the node role (configurable:
    // omittedRoleClears).
    serviceAccountRoleArn: serviceAccountRoleArn ?? (world.settings.omittedRoleClears ? undefined : current.serviceAccountRoleArn),
    // docs/eks-behaviour.md#pod-identity-associations: omitted = no change, [] = delete the add-on's associations.
    podIdentityAssociations:
      podIdentityAssociations === undefined ? current.podIdentityAssociations : world.podIdentityAssociations(cluster, podIdentityAssociations, now),
  };
  // docs/eks-behaviour.md#the-update-lifecycle: params in this order, only those that were sent; values as sent.
  const updateParams: SimUpdateParam[] = [];
  if (requestedVersion !== undefined) updateParams.push({ type: 'AddonVersion', value: requestedVersion });
  if (serviceAccountRoleArn !== undefined) updateParams.push({ type: 'ServiceAccountRoleArn', value: serviceAccountRoleArn });
  if (resolveConflicts) updateParams.push({ type: 'ResolveConflicts', value: resolveConflicts.sent });
  if (configurationValues !== undefined) updateParams.push({ type: 'ConfigurationValues', value: configurationValues });
  if (podIdentityAssociations !== undefined) updateParams.push({ type: 'PodIdentityAssociations', value: JSON.stringify(podIdentityAssociations) });

  const faults = takeChangeFaults(cluster, addonVersion);
  world.alarms.raise(faults.alarms, cluster.name, now);
  const outcome = outcomeOf(faults);
  // EKS applies the new manifest at once (the DaemonSet starts rolling while the update is InProgress); a failed
  // update never changed it.
  if (outcome.kind !== 'failed') world.applyManifest(cluster, target, now, faults);
  const update = {
    id: randomUUID(),
    status: 'InProgress' as const,
    type: 'AddonUpdate' as const,
    params: updateParams,
    errors: [],
    createdAt: now,
    addonName,
    clientRequestToken: token,
  };
  cluster.updates.push(update);
  addon.status = 'UPDATING';
  addon.modifiedAt = now;
  addon.pending = {
    kind: 'update',
    completesAt: faults.outcome?.effect === 'STUCK' ? null : world.changeCompletesAt(cluster, now, addonVersion, faults.slow),
    outcome,
    target,
    updateId: update.id,
  };
  world.countAcceptedChange(cluster);
  return { update: renderUpdate(update) };
};

/**
 * DeleteAddon (docs/eks-behaviour.md#the-update-lifecycle): DELETING, then gone after `updateSeconds`; `preserve=true`
 * leaves the software on the cluster as a self-managed install. EKS declares no ResourceInUseException for it, so
 * deleting a busy add-on is accepted and cancels its in-flight update.
 */
export const deleteAddon: OperationHandler = ({ world, scope, params, query, now }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const addon = requireAddon(cluster, params.addonName ?? '');
  if (addon.status === 'DELETING') return { addon: renderAddon(cluster, addon) };
  const inFlight = addon.pending?.updateId ? cluster.updates.find((u) => u.id === addon.pending?.updateId) : undefined;
  if (inFlight) inFlight.status = 'Cancelled';
  const preserve = query.get('preserve') === 'true';
  // Without preserve, EKS removes the add-on's resources: the aws-node DaemonSet and its pods go.
  if (!preserve) world.removeDaemonSet(cluster, now);
  addon.status = 'DELETING';
  addon.modifiedAt = now;
  addon.pending = {
    kind: 'delete',
    completesAt: now + world.settings.updateSeconds * 1000,
    outcome: { kind: 'success' },
    target: addon.settings,
    preserve,
  };
  return { addon: renderAddon(cluster, addon) };
};
