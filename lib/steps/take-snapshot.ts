import { DescribeAddonCommand, DescribeClusterCommand, DescribePodIdentityAssociationCommand } from '@aws-sdk/client-eks';
import { AddonBusyError, ClusterIdentityMismatchError, ClusterNotActiveError, ClusterNotFoundError, ClusterSkippedError } from '../errors.js';
import { addonGate, controlPlaneGate, RefusalCode, refusalError } from '../plan/cluster-decision.js';
import { clusterOfArn } from '../fleet/names.js';
import { isNotFound, translateEksError } from '../aws/eks-errors.js';
import type { Cluster, EKSClient } from '@aws-sdk/client-eks';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { credentialsOf } from '../aws/clients.js';
import { connectCluster } from '../kubernetes/cluster-reader.js';
import { kubernetesPrincipal, preflightAwsNode, type KubernetesApi, type Preflight } from './aws-node-preflight.js';
import { readSelfManaged } from './read-self-managed.js';
import { StartHoldState, type ClusterState, type PodIdentityPair, type SelfManagedState, type Snapshot } from '../workflow/state.js';
import { checkClusterStart, type WindowInfo } from '../controls/start-gate.js';
import { lockTtlSeconds } from './acquire-lock.js';
import { addonSpec } from '../addon-spec.js';
import type { StepDeps } from './step-deps.js';


/**
 * The {serviceAccount, roleArn} pair of each association ARN, in order. DescribeAddon lists only the ARNs
 * (docs/eks-behaviour.md#the-addon-object) while UpdateAddon takes pairs, so re-sending them
 * (docs/eks-behaviour.md#pod-identity-associations) needs one DescribePodIdentityAssociation per
 * ARN; the association id is the ARN's last segment.
 */
async function podIdentityPairsOf(eks: EKSClient, clusterName: string, arns: readonly string[], ref: string): Promise<PodIdentityPair[]> {
  const pairs: PodIdentityPair[] = [];
  for (const arn of arns) {
    const associationId = arn.slice(arn.lastIndexOf('/') + 1);
    const association = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName, associationId })).then(
      (out) => out.association,
      (error: unknown) => translateEksError(error, ref),
    );
    // Re-sending a pair with a member missing would make the next UpdateAddon fail mid-run: refuse here instead,
    // before any change, and leave the cluster to an operator.
    if (!association?.serviceAccount || !association.roleArn)
      throw new ClusterSkippedError(ref, `pod identity association ${arn} could not be read whole (no serviceAccount or roleArn), so it could not be re-sent`);
    pairs.push({ serviceAccount: association.serviceAccount, roleArn: association.roleArn });
  }
  return pairs;
}

/**
 * The described cluster must be the one the run names: its ARN's account, Region and name equal the entry's. A
 * client that reached another account (credentials of the wrong account, a wrong home account) or another Region
 * (an endpoint of another Region) would otherwise snapshot and change a cluster that shares only the name.
 */
function requireSameCluster(expected: ClusterState['cluster'], arn: string | undefined): void {
  const found = clusterOfArn(arn);
  const differences = found
    ? [
        ...(found.accountId !== expected.accountId ? [`account ${found.accountId}, not ${expected.accountId}`] : []),
        ...(found.region !== expected.region ? [`Region ${found.region}, not ${expected.region}`] : []),
        ...(found.name !== expected.name ? [`name ${found.name}, not ${expected.name}`] : []),
      ]
    : ['not a cluster ARN'];
  if (differences.length > 0) throw new ClusterIdentityMismatchError(expected.key, arn ?? '', differences);
}

/**
 * TakeSnapshot: reads the cluster (DescribeCluster), its vpc-cni add-on (DescribeAddon) and the add-on's pod
 * identity associations (DescribePodIdentityAssociation) and stores version, configurationValues,
 * serviceAccountRoleArn and the associations (ARNs and pairs) in DynamoDB before the first change.
 *
 * @throws ClusterNotActiveError / AddonBusyError while something else is changing (retried by the ASL)
 * @throws ClusterNotFoundError, ClusterSkippedError, AddonUnhealthyError: the cluster is left alone
 * @throws ClusterIdentityMismatchError when the described cluster's ARN names another account, Region or name
 * @throws RunHaltedError, OutsideMaintenanceWindowError, MaintenanceWindowTagError: a rollout control stops the
 *   cluster before its first change (lib/controls/start-gate.ts); a control that holds it returns `{ hold }` instead
 * @example
 * const snapshot = await takeSnapshot(state, deps); // { addonVersion: 'v1.12.6-eksbuild.2', configurationValues: '{…}', … }
 */
export async function takeSnapshot(
  state: Pick<ClusterState, 'runId' | 'cluster' | 'options' | 'rollback'> & Partial<Pick<ClusterState, 'addon'>> & { snapshot?: unknown },
  deps: StepDeps,
): Promise<Snapshot | StartHoldState> {
  const { name, key } = state.cluster;
  const eks = deps.eksFor(state.cluster);
  const ref = key;
  const cluster = await eks.send(new DescribeClusterCommand({ name })).then(
    (out) => out.cluster,
    (error: unknown) => translateEksError(error, ref),
  );
  if (!cluster) throw new ClusterNotFoundError(key);
  requireSameCluster(state.cluster, cluster.arn);
  // The rules `cni-fleet plan` applies too (lib/plan/cluster-decision.ts): a busy control plane is waited for (the
  // state machine retries ClusterNotActiveError, bounded), a DELETING/FAILED one and EKS Auto Mode are SKIPPED.
  const controlPlane = controlPlaneGate({ status: cluster.status ?? 'UNKNOWN', autoMode: cluster.computeConfig?.enabled === true });
  if (controlPlane.kind === 'wait') throw new ClusterNotActiveError(key, controlPlane.status);
  if (controlPlane.kind === 'refuse') throw refusalError(key, controlPlane);
  // The rollout controls, before anything else is read: pause, alarms, the maintenance window (docs/operating-a-run.md).
  const previous = StartHoldState.safeParse(state.snapshot);
  const start = await checkClusterStart(state, cluster.tags ?? {}, previous.success ? previous.data.hold : null, Math.floor(lockTtlSeconds(state.options) / 2), deps);
  if (start.kind === 'hold') return { hold: start.hold, waitSeconds: start.waitSeconds };
  if (start.kind === 'stop') throw start.error;
  const window = start.window;

  const spec = addonSpec(state.addon);
  const addon = await eks.send(new DescribeAddonCommand({ clusterName: name, addonName: spec.name })).then(
    (out) => out.addon,
    (error: unknown) => (isNotFound(error) && !/No cluster found/i.test((error as Error).message) ? undefined : translateEksError(error, ref)),
  );
  const api: KubernetesApi = { endpoint: cluster.endpoint ?? '', certificateAuthority: cluster.certificateAuthority?.data ?? null };
  // No managed add-on: a self-managed install is adopted only for an add-on whose spec can translate one.
  if (!addon && !spec.selfManagedMigration)
    throw refusalError(key, { outcome: 'SKIPPED', code: RefusalCode.NO_VPC_CNI, reason: `no managed ${spec.name} add-on, and cni-fleet does not adopt a self-managed ${spec.name}` });
  if (!addon) return snapshotSelfManaged(state, deps, cluster, api, credentialsOf(eks), window);
  const addonStatus = addon.status ?? 'UNKNOWN';
  // Someone else's change is waited for; an add-on that is already broken ends FAILED before any change.
  const addonState = addonGate({ status: addonStatus, issues: (addon.health?.issues ?? []).map((i) => ({ code: i.code ?? '', message: i.message ?? '' })) });
  if (addonState.kind === 'wait') throw new AddonBusyError(key, addonState.status);
  // A rollback is the remedy for an add-on the hop left DEGRADED: it goes on, the finding kept with its warnings.
  const addonRefusal = addonState.kind === 'refuse' ? refusalError(key, addonState) : undefined;
  if (addonRefusal && !state.rollback) throw addonRefusal;

  const associations = [...(addon.podIdentityAssociations ?? [])].sort();
  const podIdentityPairs = await podIdentityPairsOf(eks, name, associations, ref);
  const preflight = state.options.kubernetesAccess === 'off' ? undefined : await preflightAwsNode(state, deps, api, credentialsOf(eks));
  const snapshot: Snapshot = {
    clusterArn: cluster.arn ?? '',
    kubernetesVersion: cluster.version ?? '',
    platformVersion: cluster.platformVersion ?? null,
    install: 'managed',
    addonVersion: addon.addonVersion ?? '',
    addonStatus,
    configurationValues: addon.configurationValues ?? null,
    serviceAccountRoleArn: addon.serviceAccountRoleArn ?? null,
    podIdentityAssociations: associations,
    podIdentityPairs,
    takenAt: deps.now().toISOString(),
    ...(preflight ? { awsNode: preflight.baseline, kubernetesApi: api } : {}),
  };
  return keepSnapshot(state, deps, snapshot, preflight, window, {}, addonRefusal ? [`rolling back the add-on as EKS reports it: ${addonRefusal.message}`] : []);
}

/**
 * Stores the snapshot (with the pre-flight's fuller record) and the cluster's step, then ends the cluster when the
 * pre-flight refused it (the maintenance window recorded with it): the snapshot shows, node by node, what it found.
 */
async function keepSnapshot(
  state: Pick<ClusterState, 'runId' | 'cluster'> & { readonly rollback?: ClusterState['rollback'] },
  deps: StepDeps,
  snapshot: Snapshot,
  preflight: Preflight | undefined,
  window: WindowInfo | null,
  extra: Record<string, unknown> = {},
  noted: readonly string[] = [],
): Promise<Snapshot> {
  const { key } = state.cluster;
  const stored = await deps.store.putSnapshot(state.runId, key, { ...snapshot, ...extra, ...(preflight ? { awsNode: preflight.record } : {}) });
  // A rollback is the remedy for the unhealthy aws-node the pre-flight found (the hop being rolled back broke it):
  // it goes on, with the finding as a warning, and the gate judges the rollback's own hop.
  const unhealthyNoted = preflight?.refusal && state.rollback ? [`rolling back despite the pre-flight: ${preflight.refusal.message}`] : [];
  const warnings = [...noted, ...(preflight?.warnings ?? []), ...unhealthyNoted];
  await deps.store.updateCluster(state.runId, key, { step: 'TakeSnapshot', from: snapshot.addonVersion, ...(window ? { window } : {}), ...(warnings.length > 0 ? { warnings } : {}) });
  if (preflight?.refusal && !state.rollback) throw preflight.refusal;
  return { ...snapshot, takenAt: stored.snapshot.takenAt };
}

/**
 * No managed add-on: the self-managed aws-node DaemonSet is read through the cluster's Kubernetes API (read-only,
 * an EKS token signed by the same credentials as the EKS calls) and stored whole with its ServiceAccount and the
 * translation of its custom settings, before any change (the User Guide's "Save the configuration of your currently
 * installed add-on": https://docs.aws.amazon.com/eks/latest/userguide/vpc-add-on-update.html). The add-on facts are
 * what the migration will create: the IRSA role of the ServiceAccount, no configurationValues yet (PlanUpgrade fits
 * them to the path's schemas).
 */
async function snapshotSelfManaged(
  state: Pick<ClusterState, 'runId' | 'cluster' | 'options' | 'rollback'>,
  deps: StepDeps,
  cluster: Cluster,
  api: KubernetesApi,
  credentials: AwsCredentialIdentityProvider,
  window: WindowInfo | null,
): Promise<Snapshot> {
  const { name, region, key } = state.cluster;
  const reader = await connectCluster(
    { name, region, key, endpoint: api.endpoint, certificateAuthority: api.certificateAuthority ?? undefined, principal: kubernetesPrincipal(state.cluster, 'takeSnapshot') },
    credentials,
  );
  const install = await readSelfManaged(reader, state.cluster);
  // The migration needs these reads whatever kubernetesAccess says; the pre-flight follows it like any other cluster.
  const preflight = state.options.kubernetesAccess === 'off' ? undefined : await preflightAwsNode(state, deps, api, credentials, reader);
  const { translation } = install;
  const snapshot: Snapshot = {
    clusterArn: cluster.arn ?? '',
    kubernetesVersion: cluster.version ?? '',
    platformVersion: cluster.platformVersion ?? null,
    install: 'self-managed',
    addonVersion: install.version,
    addonStatus: null,
    configurationValues: null,
    serviceAccountRoleArn: translation.serviceAccountRoleArn,
    podIdentityAssociations: [],
    podIdentityPairs: [],
    takenAt: deps.now().toISOString(),
    // A JSON round trip turns the translation's readonly JSON values into the state schema's plain ones.
    selfManaged: JSON.parse(JSON.stringify({ image: install.image, carried: translation.carried, untranslatable: translation.untranslatable })) as SelfManagedState,
    ...(preflight ? { awsNode: preflight.baseline, kubernetesApi: api } : {}),
  };
  return keepSnapshot(state, deps, snapshot, preflight, window, { selfManaged: { ...snapshot.selfManaged, daemonSet: install.daemonSet, serviceAccount: install.serviceAccount } });
}
