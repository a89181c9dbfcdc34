import { z } from 'zod';
import type { JsonObject } from '../json.js';

/**
 * The few members of the aws-node DaemonSet and its pods that the pre-flight and the rollout gate judge, read from
 * the API server's JSON (apps/v1 DaemonSet, v1 Pod). Everything else in those objects is ignored, and a member the
 * server left out reads as Kubernetes defaults it (0, false, absent), so a partial object never throws here.
 */

const Timestamp = z.string().optional();
const Container = z.object({ name: z.string(), image: z.string().default('') });
const Spec = z.object({ containers: z.array(Container).default([]), initContainers: z.array(Container).default([]) });

const DaemonSetJson = z.object({
  metadata: z.object({ generation: z.number().default(0) }).default({ generation: 0 }),
  spec: z
    .object({
      selector: z.object({ matchLabels: z.record(z.string(), z.string()).default({}) }).default({ matchLabels: {} }),
      template: z.object({ spec: Spec.default({ containers: [], initContainers: [] }) }).default({ spec: { containers: [], initContainers: [] } }),
    })
    .default({ selector: { matchLabels: {} }, template: { spec: { containers: [], initContainers: [] } } }),
  status: z
    .object({
      observedGeneration: z.number().default(0),
      desiredNumberScheduled: z.number().default(0),
      updatedNumberScheduled: z.number().default(0),
      numberAvailable: z.number().default(0),
      numberReady: z.number().default(0),
    })
    .default({ observedGeneration: 0, desiredNumberScheduled: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberReady: 0 }),
});

const StateJson = z
  .object({
    waiting: z.object({ reason: z.string().default(''), message: z.string().optional() }).optional(),
    running: z.object({ startedAt: Timestamp }).optional(),
    terminated: z.object({ reason: z.string().default(''), exitCode: z.number().default(0), message: z.string().optional(), finishedAt: Timestamp }).optional(),
  })
  .default({});

const ContainerStatusJson = z.object({
  name: z.string(),
  image: z.string().default(''),
  ready: z.boolean().default(false),
  restartCount: z.number().default(0),
  state: StateJson,
  lastState: StateJson,
});

const PodJson = z.object({
  metadata: z.object({ name: z.string(), uid: z.string().default(''), creationTimestamp: Timestamp }),
  spec: Spec.extend({ nodeName: z.string().default('') }).default({ nodeName: '', containers: [], initContainers: [] }),
  status: z
    .object({
      phase: z.string().default('Unknown'),
      conditions: z.array(z.object({ type: z.string(), status: z.string(), message: z.string().optional() })).default([]),
      initContainerStatuses: z.array(ContainerStatusJson).default([]),
      containerStatuses: z.array(ContainerStatusJson).default([]),
    })
    .default({ phase: 'Unknown', conditions: [], initContainerStatuses: [], containerStatuses: [] }),
});

/** Epoch ms of an RFC 3339 timestamp; undefined when absent or unreadable. */
const msOf = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
};

/** The tag of an image reference (`…/amazon-k8s-cni:v1.19.2-eksbuild.1` → `v1.19.2-eksbuild.1`); '' without one. */
export const imageTag = (image: string): string => {
  const name = image.split('@')[0] ?? '';
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(colon + 1) : '';
};

/** What the DaemonSet says about its rollout, and the images its pod template asks for. */
export interface DaemonSetView {
  readonly generation: number;
  readonly observedGeneration: number;
  readonly desired: number;
  readonly updated: number;
  readonly available: number;
  /** Image of every container and init container of the template, by container name. */
  readonly templateImages: Readonly<Record<string, string>>;
  /** `spec.selector.matchLabels` as a label selector, e.g. `k8s-app=aws-node`. */
  readonly selector: string;
}

/** One container of a pod as the kubelet reports it. */
export interface ContainerView {
  readonly name: string;
  readonly init: boolean;
  /** The image the pod spec asks for. */
  readonly specImage: string;
  /** The image the kubelet reports it runs ('' before the container was created). */
  readonly image: string;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly waiting?: { readonly reason: string; readonly message?: string | undefined } | undefined;
  /** Epoch ms the current run started, when the container is running. */
  readonly runningSince?: number | undefined;
  /** The container's current termination (an init container that completed). */
  readonly terminated?: { readonly reason: string; readonly exitCode: number } | undefined;
  /** How its previous run ended, when it restarted. */
  readonly lastTermination?: { readonly reason: string; readonly exitCode: number; readonly message?: string | undefined; readonly finishedAt?: number | undefined } | undefined;
}

/** One aws-node pod. */
export interface PodView {
  readonly name: string;
  readonly uid: string;
  readonly node: string;
  readonly createdAt: number | undefined;
  readonly phase: string;
  readonly ready: boolean;
  /** The Ready condition's message when it is not True, e.g. `containers with unready status: [aws-node]`. */
  readonly notReadyMessage?: string | undefined;
  readonly containers: readonly ContainerView[];
}

/**
 * The DaemonSet's rollout figures and template images.
 *
 * @example
 * daemonSetView(await reader.readDaemonSet()).updated // 38
 */
export function daemonSetView(json: JsonObject): DaemonSetView {
  const ds = DaemonSetJson.parse(json);
  const template = ds.spec.template.spec;
  return {
    generation: ds.metadata.generation,
    observedGeneration: ds.status.observedGeneration,
    desired: ds.status.desiredNumberScheduled,
    updated: ds.status.updatedNumberScheduled,
    available: ds.status.numberAvailable,
    templateImages: Object.fromEntries([...template.initContainers, ...template.containers].map((c) => [c.name, c.image])),
    selector: Object.entries(ds.spec.selector.matchLabels)
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
  };
}

/**
 * One pod's containers (init containers first), their images, states and restarts.
 *
 * @example
 * podView(item).containers.find((c) => c.name === 'aws-node')?.restartCount // 0
 */
export function podView(json: JsonObject): PodView {
  const pod = PodJson.parse(json);
  const specImages = new Map([...pod.spec.initContainers, ...pod.spec.containers].map((c) => [c.name, c.image]));
  const container = (init: boolean) => (s: z.infer<typeof ContainerStatusJson>): ContainerView => ({
    name: s.name,
    init,
    specImage: specImages.get(s.name) ?? s.image,
    image: s.image,
    ready: s.ready,
    restartCount: s.restartCount,
    waiting: s.state.waiting ? { reason: s.state.waiting.reason, message: s.state.waiting.message } : undefined,
    runningSince: s.state.running ? (msOf(s.state.running.startedAt) ?? 0) : undefined,
    terminated: s.state.terminated ? { reason: s.state.terminated.reason, exitCode: s.state.terminated.exitCode } : undefined,
    lastTermination: s.lastState.terminated
      ? { reason: s.lastState.terminated.reason, exitCode: s.lastState.terminated.exitCode, message: s.lastState.terminated.message, finishedAt: msOf(s.lastState.terminated.finishedAt) }
      : undefined,
  });
  const reported = [...pod.status.initContainerStatuses.map(container(true)), ...pod.status.containerStatuses.map(container(false))];
  // A pod the kubelet has not reported on yet has no statuses: its containers are waiting to be created.
  const unreported = [...pod.spec.initContainers.map((c) => [c, true] as const), ...pod.spec.containers.map((c) => [c, false] as const)]
    .filter(([c]) => !reported.some((r) => r.name === c.name))
    .map(([c, init]): ContainerView => ({ name: c.name, init, specImage: c.image, image: '', ready: false, restartCount: 0, waiting: { reason: 'ContainerCreating' } }));
  const ready = pod.status.conditions.find((c) => c.type === 'Ready');
  return {
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    node: pod.spec.nodeName,
    createdAt: msOf(pod.metadata.creationTimestamp),
    phase: pod.status.phase,
    ready: ready?.status === 'True',
    notReadyMessage: ready?.status === 'True' ? undefined : ready?.message,
    containers: [...reported, ...unreported],
  };
}
