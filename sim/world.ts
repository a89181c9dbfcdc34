import { randomUUID } from 'node:crypto';
import type { Fault, FleetCluster, FleetFile, ManagedAddon, SimulatorSettings } from '../lib/fleet/fleet-file.js';
import { loadCatalogue, type Catalogue } from './catalogue/catalogue.js';
import { SimAlarms } from './cloudwatch/alarms.js';
import type { VirtualClock } from './clock.js';
import { clusterNotFound } from './eks-api-error.js';
import { deletionThreshold, faultStates, pendingJoins, revisionTroubles, type ChangeFaults } from './faults.js';
import { hexOf, uuidOf } from '../lib/stable-id.js';
import { changeDurationMs, DEFAULT_CONFLICT, INSUFFICIENT_REPLICAS, settleCluster } from './lifecycle.js';
import { advanceRollout, deleteDaemonSet, faultFreeRolloutEnd, initialDaemonSet, writeTemplate } from './kubernetes/daemonset-rollout.js';
import { buildNodes } from './kubernetes/nodes.js';
import { selfManagedFromAddon } from './self-managed.js';
import { VPC_CNI, type AddonSettings, type SimAddon, type SimCluster, type SimPodIdentityAssociation } from './model.js';

/** AddonPodIdentityAssociations (docs/eks-behaviour.md#the-addon-object). */
interface PodIdentityInput {
  readonly serviceAccount: string;
  readonly roleArn: string;
}

/** Which clusters a request may see: its SigV4 region, and one account or all of them. */
export interface RequestScope {
  readonly region: string;
  /** Set when the access key id is a 12-digit account id; undefined = every account. */
  readonly accountId?: string;
}

const DAY_MS = 86_400_000;


/**
 * The simulated accounts: every cluster of the fleet file with its add-on, updates and faults, plus the
 * clock and settings that drive them.
 */
export class SimWorld {
  readonly clusters: SimCluster[];
  readonly settings: SimulatorSettings;
  /** Every EKS build with its Kubernetes window (sim/catalogue). */
  readonly catalogue: Catalogue = loadCatalogue();
  /** The CloudWatch alarms of the fleet file, over virtual time. */
  readonly alarms: SimAlarms;

  constructor(
    fleet: FleetFile,
    readonly clock: VirtualClock,
  ) {
    this.settings = fleet.settings;
    const start = clock.now();
    this.clusters = fleet.clusters.map((spec) => this.buildCluster(spec, start));
    this.alarms = new SimAlarms(fleet.alarms, start);
  }

  /** Clusters in scope that still exist (ghosts included: they are what ListClusters sees). */
  listed(scope: RequestScope): SimCluster[] {
    return this.clusters.filter(
      (c) => c.region === scope.region && (scope.accountId === undefined || c.accountId === scope.accountId) && c.existence !== 'gone',
    );
  }

  /**
   * The cluster a request names, settled to now; undefined when it does not exist (or is a ghost). When the
   * request is not scoped to one account and two accounts have a cluster of that name in the region, the
   * first in fleet-file order wins.
   */
  lookup(scope: RequestScope, name: string): SimCluster | undefined {
    // One pass, no array per request: a 1,000-cluster rehearsal looks a cluster up on every request (bench/).
    const cluster = this.clusters.find(
      (c) => c.name === name && c.existence === 'present' && c.region === scope.region && (scope.accountId === undefined || c.accountId === scope.accountId),
    );
    if (cluster) settleCluster(cluster, this.clock.now());
    return cluster;
  }

  /** Like lookup, but answers 404 `No cluster found for name: X.` (docs/eks-behaviour.md#error-messages). */
  require(scope: RequestScope, name: string): SimCluster {
    const cluster = this.lookup(scope, name);
    if (!cluster) throw clusterNotFound(name);
    return cluster;
  }

  /** For tests and the CLI: a cluster by name, in one region and account or the first anywhere, settled to now. */
  find(name: string, region?: string, accountId?: string): SimCluster | undefined {
    const cluster = this.clusters.find((c) => c.name === name && (region === undefined || c.region === region) && (accountId === undefined || c.accountId === accountId));
    if (cluster && cluster.existence === 'present') settleCluster(cluster, this.clock.now());
    return cluster;
  }

  /**
   * Counts an accepted add-on update or create towards CLUSTER_DELETED: once `afterUpdates` were accepted the
   * cluster is gone (404 everywhere, not listed).
   */
  countAcceptedChange(cluster: SimCluster): void {
    cluster.acceptedChanges += 1;
    const threshold = deletionThreshold(cluster.faults.map((s) => s.fault));
    if (threshold !== undefined && threshold > 0 && cluster.acceptedChanges >= threshold) cluster.existence = 'gone';
  }

  /**
   * The add-on's associations for the pairs of a request. The ARN is derived from the cluster and the pair, so
   * re-sending the same pairs on every hop (docs/eks-behaviour.md#pod-identity-associations) keeps the same
   * associations and their createdAt.
   */
  podIdentityAssociations(cluster: SimCluster, input: readonly PodIdentityInput[], now: number): SimPodIdentityAssociation[] {
    const existing = cluster.addon?.settings.podIdentityAssociations ?? [];
    return input.map((p) => {
      const associationArn = `arn:aws:eks:${cluster.region}:${cluster.accountId}:podidentityassociation/${cluster.name}/a-${hexOf(`${cluster.uid}/${p.serviceAccount}/${p.roleArn}`, 17)}`;
      const kept = existing.find((a) => a.associationArn === associationArn);
      return { serviceAccount: p.serviceAccount, roleArn: p.roleArn, associationArn, createdAt: kept?.createdAt ?? now, modifiedAt: kept?.modifiedAt ?? now };
    });
  }

  newAddon(cluster: SimCluster, settings: SimAddon['settings'], now: number, tags: Record<string, string> = {}): SimAddon {
    return {
      addonName: VPC_CNI,
      // docs/eks-behaviour.md#the-addon-object: arn:aws:eks:<region>:<account>:addon/<cluster>/<addonName>/<uuid-like
      // id>
      addonArn: `arn:aws:eks:${cluster.region}:${cluster.accountId}:addon/${cluster.name}/${VPC_CNI}/${uuidOf(`${cluster.uid}/${now}`)}`,
      status: 'CREATING',
      settings,
      tags,
      issues: [],
      createdAt: now,
      modifiedAt: now,
    };
  }

  private buildCluster(spec: FleetCluster, start: number): SimCluster {
    const uid = hexOf(`${spec.accountId}/${spec.region}/${spec.name}`);
    const threshold = deletionThreshold(spec.faults);
    const cluster: SimCluster = {
      name: spec.name,
      region: spec.region,
      accountId: spec.accountId,
      kubernetesVersion: spec.kubernetesVersion,
      baseStatus: spec.status,
      tags: { ...spec.tags },
      platformVersion: spec.platformVersion ?? 'eks.10',
      compute: spec.compute,
      nodes: spec.nodes,
      nodeGroups: spec.nodeGroups,
      nodeList: [],
      pendingJoins: [],
      createdAt: start - 200 * DAY_MS,
      uid,
      selfManaged: spec.selfManaged ? structuredClone(spec.selfManaged) : undefined,
      updates: [],
      faults: faultStates(spec.faults),
      // CLUSTER_DELETED with afterUpdates 0: a ghost from the start, listed but 404 everywhere
      // (docs/eks-behaviour.md#listclusters-ghosts, gruntwork-io/cloud-nuke#1023).
      existence: threshold === 0 ? 'ghost' : 'present',
      acceptedChanges: 0,
    };
    cluster.nodeList.push(...buildNodes(cluster, spec, cluster.createdAt + DAY_MS));
    this.startControlPlaneUpdate(cluster, spec, start);
    if (spec.addon) cluster.addon = this.buildAddon(cluster, spec.addon, start);
    // The aws-node DaemonSet it starts with, long rolled out; EKS Auto Mode clusters run none.
    const source = cluster.selfManaged ?? (cluster.addon ? selfManagedFromAddon(cluster.addon.settings) : undefined);
    if (source && cluster.compute !== 'auto') cluster.daemonSet = initialDaemonSet(cluster, source, cluster.createdAt + DAY_MS, start);
    return cluster;
  }

  /**
   * When a create or update accepted at `now` towards `targetVersion` completes: its duration (varied per hop when
   * `durationJitter` is set, or SLOW's), and with `activeAwaitsRollout` not before the DaemonSet rollout would end
   * without faults. Call after applyManifest, so the rollout it waits for is the one this change started.
   */
  changeCompletesAt(cluster: SimCluster, now: number, targetVersion: string, slow?: Fault): number {
    const end = now + changeDurationMs(cluster, this.settings, targetVersion, slow);
    return this.settings.activeAwaitsRollout ? Math.max(end, faultFreeRolloutEnd(cluster, this.settings, now)) : end;
  }

  /**
   * EKS applies an accepted create or update (one that does not fail): the aws-node pod template becomes the
   * target's (a new generation, pods replaced node by node), with the change's pod faults on the new revision, and
   * the change's joining nodes are scheduled.
   */
  applyManifest(cluster: SimCluster, target: AddonSettings, now: number, faults: ChangeFaults): void {
    cluster.pendingJoins.push(...pendingJoins(cluster, faults.joins, now));
    if (cluster.compute === 'auto') return;
    writeTemplate(cluster, this.settings, selfManagedFromAddon(target), now, revisionTroubles(cluster.nodeList, faults.pods));
  }

  /** DeleteAddon without preserve: the DaemonSet and its pods are deleted. */
  removeDaemonSet(cluster: SimCluster, now: number): void {
    deleteDaemonSet(cluster, this.settings, now);
  }

  /** Brings a cluster's nodes and DaemonSet to `now` (before its Kubernetes API answers). */
  advanceKubernetes(cluster: SimCluster, now: number): void {
    advanceRollout(cluster, this.settings, now);
  }

  private startControlPlaneUpdate(cluster: SimCluster, spec: FleetCluster, start: number): void {
    const fault = spec.faults.find((f) => f.effect === 'CLUSTER_UPDATING');
    if (spec.status !== 'UPDATING' && !fault) return;
    // fleet status UPDATING never ends; CLUSTER_UPDATING ends after durationSeconds (default 600 virtual s,
    // a short control-plane version update).
    const until = spec.status === 'UPDATING' ? null : start + (fault?.durationSeconds ?? 600) * 1000;
    const id = randomUUID();
    cluster.updates.push({
      id,
      status: 'InProgress',
      type: 'VersionUpdate',
      params: [
        { type: 'Version', value: spec.kubernetesVersion },
        { type: 'PlatformVersion', value: cluster.platformVersion },
      ],
      errors: [],
      createdAt: start,
    });
    cluster.controlPlaneUpdate = { updateId: id, until };
  }

  private buildAddon(cluster: SimCluster, spec: ManagedAddon, start: number): SimAddon {
    const createdAt = cluster.createdAt + DAY_MS;
    const settings = {
      addonVersion: spec.version,
      configurationValues: spec.configurationValues,
      serviceAccountRoleArn: spec.serviceAccountRoleArn,
      podIdentityAssociations: this.podIdentityAssociations(cluster, spec.podIdentityAssociations ?? [], createdAt),
    };
    const addon: SimAddon = { ...this.newAddon(cluster, settings, createdAt), status: 'ACTIVE', modifiedAt: createdAt };
    switch (spec.status ?? 'ACTIVE') {
      case 'UPDATING': {
        // Someone else's update is in progress (fleet-file.ts ManagedAddon.status): an InProgress update to
        // the same version that completes after the normal duration.
        const id = randomUUID();
        cluster.updates.push({
          id,
          status: 'InProgress',
          type: 'AddonUpdate',
          params: [{ type: 'AddonVersion', value: spec.version }],
          errors: [],
          createdAt: start,
          addonName: VPC_CNI,
        });
        addon.status = 'UPDATING';
        addon.modifiedAt = start;
        addon.pending = {
          kind: 'update',
          completesAt: start + changeDurationMs(cluster, this.settings, spec.version),
          outcome: { kind: 'success' },
          target: structuredClone(settings),
          updateId: id,
        };
        break;
      }
      case 'DEGRADED':
        addon.status = 'DEGRADED';
        addon.issues = [{ ...INSUFFICIENT_REPLICAS }];
        break;
      case 'UPDATE_FAILED':
        addon.status = 'UPDATE_FAILED';
        addon.issues = [{ ...DEFAULT_CONFLICT }];
        cluster.updates.push({
          id: randomUUID(),
          status: 'Failed',
          type: 'AddonUpdate',
          params: [{ type: 'AddonVersion', value: spec.version }],
          errors: [{ errorCode: DEFAULT_CONFLICT.code, errorMessage: DEFAULT_CONFLICT.message, resourceIds: null }],
          createdAt: start - DAY_MS,
          addonName: VPC_CNI,
        });
        break;
      case 'CREATE_FAILED':
        addon.status = 'CREATE_FAILED';
        addon.issues = [{ ...DEFAULT_CONFLICT }];
        break;
      case 'ACTIVE':
        break;
    }
    return addon;
  }
}
