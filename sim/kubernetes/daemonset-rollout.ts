import type { FleetCluster, SelfManaged, SimulatorSettings } from '../../lib/fleet/fleet-file.js';
import { hexOf, uuidOf } from '../../lib/stable-id.js';
import type { DaemonSetStatus } from '../../lib/kubernetes/aws-node-manifest.js';
import { isOlder } from '../versions.js';
import { buildNode, nodeGroupsOf, type SimNode } from './nodes.js';
import { labelsMatch, type LabelRequirement } from './selectors.js';

/**
 * The aws-node DaemonSet's rolling update over virtual time, as Kubernetes' DaemonSet controller runs it
 * (pkg/controller/daemon/update.go, `rollingUpdate` with maxSurge 0; status as `updateDaemonSetStatus` counts it).
 * Nothing runs on timers: the state is advanced, event by event, up to the time of the request that reads or
 * changes it, so it depends only on the clock (docs/simulator.md, "The Kubernetes side of an update").
 */

/** What is wrong with a pod of a revision on some nodes (fleet-file pod faults). */
export type PodTroubleKind = 'not-ready' | 'agent-crash-loop' | 'image-pull';

export interface PodTrouble {
  readonly kind: PodTroubleKind;
  /** The fault's `errorMessage`: the container's last log line, or the image pull error. */
  readonly message?: string | undefined;
}

/** A pod fault of one revision and the nodes it hits: a fixed set, or every node whose labels match. */
export interface RevisionTrouble extends PodTrouble {
  readonly nodes?: ReadonlySet<string>;
  readonly selector?: readonly LabelRequirement[];
}

/** One version of the pod template (a ControllerRevision). */
export interface Revision {
  /** The DaemonSet's `metadata.generation` when this template was written; the pods' `pod-template-generation`. */
  readonly generation: number;
  /** What the template renders from (lib/kubernetes/aws-node-manifest.ts). */
  readonly source: SelfManaged;
  /** The pods' `controller-revision-hash`. */
  readonly hash: string;
  /** Virtual epoch ms the template was written. */
  readonly appliedAt: number;
  readonly troubles: readonly RevisionTrouble[];
}

/** One aws-node pod. At most one per node: with maxSurge 0 the old pod goes before the new one is made. */
export interface SimPod {
  readonly name: string;
  readonly uid: string;
  readonly node: string;
  readonly generation: number;
  readonly createdAt: number;
  /** When its containers would all be Ready, troubles aside. */
  readonly nominalReadyAt: number;
  /** When the pod is Ready (and, with minReadySeconds 0, available); null: never. */
  readonly readyAt: number | null;
  readonly trouble?: PodTrouble | undefined;
}

/** The DaemonSet and its pods. */
export interface DaemonSetState {
  readonly uid: string;
  readonly createdAt: number;
  /** Oldest first; the last is the template `spec` holds now. */
  readonly revisions: Revision[];
  /** The settings EKS applied last, the IRSA role included (the ServiceAccount's annotation; not part of the template). */
  applied: SelfManaged;
  /** `status.observedGeneration`: the revision the controller acts on. */
  observedGeneration: number;
  /** When the controller sees the newest revision (it lags the write by OBSERVE_MS); null when it has. */
  observeAt: number | null;
  readonly pods: Map<string, SimPod>;
  /** Virtual ms the state has been advanced to. */
  clock: number;
}

/** Nodes that will join a cluster (fault NODE_JOIN). */
export interface PendingJoin {
  readonly at: number;
  readonly count: number;
  readonly group: string;
}

/** What the rollout reads and changes of a simulated cluster. */
export interface RolloutCluster {
  readonly uid: string;
  readonly region: string;
  readonly compute: FleetCluster['compute'];
  readonly nodeGroups: FleetCluster['nodeGroups'];
  readonly nodes: number;
  readonly nodeList: SimNode[];
  readonly pendingJoins: PendingJoin[];
  daemonSet?: DaemonSetState | undefined;
}

type RolloutSettings = Pick<SimulatorSettings, 'podReadySeconds' | 'concurrentStartSeconds'>;

/** The controller writes status a moment after the spec changed: observedGeneration lags generation by this. */
const OBSERVE_MS = 1000;

/** The upstream manifest's `maxUnavailable: 10%`, rounded up as the controller rounds it, and never 0. */
const maxUnavailableOf = (desired: number): number => (desired === 0 ? 0 : Math.max(1, Math.ceil(desired * 0.1)));

/** `controller-revision-hash`: 10 characters of Kubernetes' safe alphabet, a function of the template. */
function revisionHash(key: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const hex = hexOf(key, 20);
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % alphabet.length];
  return out;
}

/**
 * The template's identity: the same settings render the same template, and then nothing rolls. The IRSA role is the
 * ServiceAccount's annotation, not the template's: changing it alone restarts no pod.
 */
const templateKey = ({ serviceAccountRoleArn: _role, ...source }: SelfManaged): string =>
  JSON.stringify(source, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

/** Network policy arrived with v1.14.0: only from then on does the pod run aws-eks-nodeagent. */
export const hasNodeAgent = (version: string): boolean => !isOlder(version, 'v1.14.0');

const awsNodeNodes = (cluster: RolloutCluster): SimNode[] => cluster.nodeList.filter((n) => n.runsAwsNode);

function troubleFor(revision: Revision, node: SimNode): PodTrouble | undefined {
  for (const t of revision.troubles) {
    const hit = t.nodes ? t.nodes.has(node.name) : labelsMatch(node.labels, t.selector ?? []);
    if (!hit) continue;
    // A crash-looping node agent needs a node agent: builds before v1.14 have none, and their pods are fine.
    if (t.kind === 'agent-crash-loop' && !hasNodeAgent(revision.source.version)) continue;
    return { kind: t.kind, message: t.message };
  }
  return undefined;
}

const available = (pod: SimPod, now: number): boolean => pod.readyAt !== null && pod.readyAt <= now;

/**
 * One sync of the DaemonSet controller at `now` with maxSurge 0: nodes without a pod get one; old pods that are not
 * available are replaced at once; old available pods are replaced while fewer than maxUnavailable nodes are
 * unavailable, an unavailable new pod counting against that budget. Pods made in one sync start together, and
 * each start slows the others (concurrentStartSeconds).
 */
function sync(cluster: RolloutCluster, ds: DaemonSetState, settings: RolloutSettings, now: number): void {
  const target = ds.revisions.find((r) => r.generation === ds.observedGeneration);
  if (!target) return;
  const nodes = awsNodeNodes(cluster);
  const maxUnavailable = maxUnavailableOf(nodes.length);
  let unavailable = 0;
  const replace: SimNode[] = [];
  const candidates: SimNode[] = [];
  for (const node of nodes) {
    const pod = ds.pods.get(node.name);
    if (!pod) {
      unavailable += 1;
      replace.push(node);
    } else if (pod.generation === target.generation) {
      if (!available(pod, now)) unavailable += 1;
    } else if (!available(pod, now)) {
      unavailable += 1;
      replace.push(node);
    } else if (unavailable < maxUnavailable) candidates.push(node);
  }
  const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
  const starting = [...replace, ...candidates.slice(0, room)];
  const startMs = Math.max(1, (settings.podReadySeconds + (starting.length - 1) * settings.concurrentStartSeconds) * 1000);
  for (const node of starting) {
    const trouble = troubleFor(target, node);
    const uid = uuidOf(`pod/${cluster.uid}/${node.name}/${target.generation}/${now}`);
    ds.pods.set(node.name, {
      name: `aws-node-${revisionHash(uid).slice(0, 5)}`,
      uid,
      node: node.name,
      generation: target.generation,
      createdAt: now,
      nominalReadyAt: now + startMs,
      readyAt: trouble ? null : now + startMs,
      trouble,
    });
  }
}

/** The next moment something changes, after `ds.clock` (or now-due joins and observation); undefined: none. */
function nextEvent(cluster: RolloutCluster, ds: DaemonSetState | undefined): number | undefined {
  let next = Infinity;
  for (const join of cluster.pendingJoins) next = Math.min(next, join.at);
  if (ds) {
    if (ds.observeAt !== null) next = Math.min(next, ds.observeAt);
    for (const pod of ds.pods.values()) if (pod.readyAt !== null && pod.readyAt > ds.clock) next = Math.min(next, pod.readyAt);
  }
  return next === Infinity ? undefined : next;
}

function joinNodes(cluster: RolloutCluster, join: PendingJoin): void {
  const group = nodeGroupsOf(cluster).find((g) => g.name === join.group) ?? nodeGroupsOf(cluster)[0]!;
  for (let i = 0; i < join.count; i++) {
    const node = buildNode(cluster, cluster.nodeList.length, group, join.at);
    // A new EC2 node has no pod network until its first aws-node pod is Ready.
    cluster.nodeList.push(node.runsAwsNode ? { ...node, cniReadyAt: null } : node);
  }
}

/**
 * Advances the cluster's nodes and DaemonSet to virtual time `until`: nodes join, the controller observes a new
 * template, pods become Ready, and after each of those the controller syncs.
 */
export function advanceRollout(cluster: RolloutCluster, settings: RolloutSettings, until: number): void {
  for (;;) {
    const ds = cluster.daemonSet;
    const at = nextEvent(cluster, ds);
    if (at === undefined || at > until) break;
    for (const join of cluster.pendingJoins.filter((j) => j.at <= at)) joinNodes(cluster, join);
    const left = cluster.pendingJoins.filter((j) => j.at > at);
    cluster.pendingJoins.splice(0, cluster.pendingJoins.length, ...left);
    if (!ds) continue;
    ds.clock = Math.max(ds.clock, at);
    if (ds.observeAt !== null && ds.observeAt <= at) {
      ds.observedGeneration = ds.revisions.at(-1)!.generation;
      ds.observeAt = null;
    }
    for (const node of cluster.nodeList) {
      const pod = ds.pods.get(node.name);
      if (node.cniReadyAt === null && pod && pod.readyAt !== null && pod.readyAt <= at) node.cniReadyAt = pod.readyAt;
    }
    sync(cluster, ds, settings, at);
  }
  if (cluster.daemonSet) cluster.daemonSet.clock = Math.max(cluster.daemonSet.clock, until);
}

/**
 * The DaemonSet a cluster starts with: one revision, written and rolled out long before the simulation starts, every
 * pod Ready.
 */
export function initialDaemonSet(cluster: RolloutCluster, source: SelfManaged, createdAt: number, start: number): DaemonSetState {
  const revision: Revision = { generation: 1, source, hash: revisionHash(templateKey(source)), appliedAt: createdAt, troubles: [] };
  const ds: DaemonSetState = { uid: uuidOf(`ds/${cluster.uid}`), createdAt, revisions: [revision], applied: source, observedGeneration: 1, observeAt: null, pods: new Map(), clock: start };
  for (const node of awsNodeNodes(cluster)) {
    const uid = uuidOf(`pod/${cluster.uid}/${node.name}/1/${createdAt}`);
    const readyAt = createdAt + 60_000;
    ds.pods.set(node.name, { name: `aws-node-${revisionHash(uid).slice(0, 5)}`, uid, node: node.name, generation: 1, createdAt, nominalReadyAt: readyAt, readyAt });
  }
  return ds;
}

/**
 * EKS writes a new pod template (an accepted create or update whose apply succeeds): `metadata.generation` goes up
 * and the controller starts replacing pods once it observes it. Writing the same template again changes nothing,
 * as an unchanged spec keeps its generation. Without a DaemonSet (after a delete, or a cluster that never had
 * one), this creates it and every node gets a pod at once.
 *
 * @returns whether the template changed
 */
export function writeTemplate(cluster: RolloutCluster, settings: RolloutSettings, source: SelfManaged, now: number, troubles: readonly RevisionTrouble[]): boolean {
  advanceRollout(cluster, settings, now);
  const key = templateKey(source);
  const fresh: DaemonSetState = { uid: uuidOf(`ds/${cluster.uid}/${now}`), createdAt: now, revisions: [], applied: source, observedGeneration: 0, observeAt: null, pods: new Map(), clock: now };
  const ds = (cluster.daemonSet ??= fresh);
  ds.applied = source;
  const last = ds.revisions.at(-1);
  if (last && templateKey(last.source) === key) return false;
  ds.revisions.push({ generation: (last?.generation ?? 0) + 1, source, hash: revisionHash(key), appliedAt: now, troubles });
  ds.observeAt = now + OBSERVE_MS;
  return true;
}

/** The DaemonSet is deleted (DeleteAddon without preserve): its pods go with it. */
export function deleteDaemonSet(cluster: RolloutCluster, settings: RolloutSettings, now: number): void {
  advanceRollout(cluster, settings, now);
  cluster.daemonSet = undefined;
}

/** Status of the DaemonSet at `now` (after advanceRollout to `now`). */
export function daemonSetStatus(cluster: RolloutCluster, ds: DaemonSetState, now: number): DaemonSetStatus {
  const nodes = awsNodeNodes(cluster);
  let current = 0;
  let updated = 0;
  let ready = 0;
  for (const node of nodes) {
    const pod = ds.pods.get(node.name);
    if (!pod) continue;
    current += 1;
    if (available(pod, now)) ready += 1;
    if (pod.generation === ds.observedGeneration) updated += 1;
  }
  return {
    desiredNumberScheduled: nodes.length,
    currentNumberScheduled: current,
    updatedNumberScheduled: updated,
    numberReady: ready,
    // minReadySeconds is 0 in the manifest: Ready is available.
    numberAvailable: ready,
    numberUnavailable: nodes.length - ready,
    numberMisscheduled: 0,
    observedGeneration: ds.observedGeneration,
  };
}

/**
 * When the rollout now under way would be complete if no pod had any trouble and no node joined: what EKS waits for
 * with `activeAwaitsRollout` (it keeps reporting ACTIVE even when a fault stops the real rollout). `now` when there
 * is nothing to roll.
 */
export function faultFreeRolloutEnd(cluster: RolloutCluster, settings: RolloutSettings, now: number): number {
  if (!cluster.daemonSet) return now;
  const ds = cluster.daemonSet;
  const copy: RolloutCluster = {
    ...cluster,
    nodeList: cluster.nodeList.map((n) => ({ ...n })),
    pendingJoins: [],
    daemonSet: {
      ...ds,
      revisions: ds.revisions.map((r) => ({ ...r, troubles: [] })),
      pods: new Map([...ds.pods].map(([node, pod]) => [node, { ...pod, readyAt: pod.nominalReadyAt, trouble: undefined }])),
    },
  };
  let end = now;
  for (;;) {
    const at = nextEvent(copy, copy.daemonSet);
    if (at === undefined) return end;
    end = at;
    advanceRollout(copy, settings, at);
  }
}
