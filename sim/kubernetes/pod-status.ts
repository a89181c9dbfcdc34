import type { PodImages } from '../../lib/kubernetes/aws-node-manifest.js';
import { hexOf } from '../../lib/stable-id.js';
import type { SimPod } from './daemonset-rollout.js';
import { isoSeconds, type KubeObject } from '../../lib/kubernetes/kube-object.js';

/**
 * A pod's `status` at a virtual time: phase, conditions and container statuses as the kubelet reports them, for a
 * healthy start and for each pod fault. Back-offs follow the kubelet's: a crashed container or a failed image pull
 * is retried after 10 s, doubling up to 5 minutes
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts).
 */

const BACKOFF_FIRST_MS = 10_000;
const BACKOFF_CAP_MS = 300_000;
const backoffMs = (attempt: number): number => Math.min(BACKOFF_FIRST_MS * 2 ** attempt, BACKOFF_CAP_MS);

/**
 * aws-node stuck at "Checking for IPAM connectivity": its readiness probe (grpc-health-probe on :50051) never
 * passes, and the liveness probe (initialDelaySeconds 60, three failures 10 s apart) kills it after about 90 s.
 */
const IPAM_STUCK_RUN_MS = 90_000;
/** A crash-looping aws-eks-nodeagent exits (code 1) within seconds of starting; a killed aws-node ends with 137 (SIGKILL). */
const AGENT_CRASH_RUN_MS = 5_000;
/** How long a failed pull shows ErrImagePull before the kubelet reports ImagePullBackOff. */
const ERR_IMAGE_PULL_MS = 5_000;
const FIRST_PULL_MS = 2_000;

type ContainerState = KubeObject;

/** Where a container that runs `runMs`, dies, and is restarted after the back-off stands at `now`. */
function crashLoop(startAt: number, runMs: number, exitCode: number, now: number): { restarts: number; state: ContainerState; lastState: ContainerState } {
  let start = startAt;
  let last: ContainerState = {};
  for (let attempt = 0; ; attempt += 1) {
    const end = start + runMs;
    if (now < end) return { restarts: attempt, state: { running: { startedAt: isoSeconds(start) } }, lastState: last };
    last = { terminated: { exitCode, reason: 'Error', startedAt: isoSeconds(start), finishedAt: isoSeconds(end) } };
    const next = end + backoffMs(attempt);
    if (now < next) return { restarts: attempt, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${formatBackoff(backoffMs(attempt))}` } }, lastState: last };
    start = next;
  }
}

const formatBackoff = (ms: number): string => (ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${(ms % 60_000) / 1000}s` : `${ms / 1000}s`);

/** Where an image that cannot be pulled stands at `now`: tries, ErrImagePull, then ImagePullBackOff until the next try. */
function pullLoop(startAt: number, image: string, reason: string | undefined, now: number): ContainerState {
  let attempt = startAt + FIRST_PULL_MS;
  if (now < attempt) return { waiting: { reason: 'PodInitializing' } };
  const cause = reason ?? `unexpected status from HEAD request to https://${image.split('/')[0]}/v2/${image.split('/').slice(1).join('/').replace(/:([^:]+)$/, '/manifests/$1')}: 403 Forbidden`;
  for (let i = 0; ; i += 1) {
    const backoffEnds = attempt + backoffMs(i);
    if (now < attempt + ERR_IMAGE_PULL_MS || now >= backoffEnds) {
      if (now < backoffEnds) return { waiting: { reason: 'ErrImagePull', message: `failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${cause}` } };
      attempt = backoffEnds;
      continue;
    }
    return { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
  }
}

const imageId = (image: string): string => `${image.replace(/:[^:/]+$/, '')}@sha256:${hexOf(`image/${image}`, 64)}`;
const containerId = (pod: SimPod, name: string, restarts: number): string => `containerd://${hexOf(`${pod.uid}/${name}/${restarts}`, 64)}`;

interface ContainerReport {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly lastState: ContainerState;
  readonly ready: boolean;
  readonly restarts: number;
}

const statusOf = (pod: SimPod, c: ContainerReport): KubeObject => {
  const created = !('waiting' in c.state) || c.restarts > 0 || (c.state.waiting as { reason?: string }).reason === 'CrashLoopBackOff';
  return {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.ready,
    restartCount: c.restarts,
    image: c.image,
    imageID: created ? imageId(c.image) : '',
    ...(created ? { containerID: containerId(pod, c.name, c.restarts) } : {}),
    started: 'running' in c.state,
  };
};

const condition = (type: string, ok: boolean, at: number, why?: { reason: string; message: string }): KubeObject => ({
  type,
  status: ok ? 'True' : 'False',
  lastProbeTime: null,
  lastTransitionTime: isoSeconds(at),
  ...(ok || !why ? {} : why),
});

/**
 * The `status` of an aws-node pod at `now`.
 *
 * @example
 * podStatus(pod, images, '10.0.0.4', now).containerStatuses // [{ name: 'aws-eks-nodeagent', … }, { name: 'aws-node', ready: true, restartCount: 0, … }]
 */
export function podStatus(pod: SimPod, images: PodImages, hostIp: string, now: number): KubeObject {
  const span = pod.nominalReadyAt - pod.createdAt;
  const initDoneAt = pod.createdAt + Math.max(1, Math.round(span * 0.3));
  const trouble = pod.trouble?.kind;
  const pulling = trouble === 'image-pull';
  const initDone = !pulling && now >= initDoneAt;
  const init: ContainerReport = pulling
    ? { name: 'aws-vpc-cni-init', image: images.init, state: pullLoop(pod.createdAt, images.init, pod.trouble?.message, now), lastState: {}, ready: false, restarts: 0 }
    : initDone
      ? {
          name: 'aws-vpc-cni-init',
          image: images.init,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: isoSeconds(pod.createdAt + 1000), finishedAt: isoSeconds(initDoneAt) } },
          lastState: {},
          ready: true,
          restarts: 0,
        }
      : { name: 'aws-vpc-cni-init', image: images.init, state: { running: { startedAt: isoSeconds(pod.createdAt + 1000) } }, lastState: {}, ready: false, restarts: 0 };

  const containers: ContainerReport[] = [];
  const notStarted = (name: string, image: string): ContainerReport => ({ name, image, state: { waiting: { reason: 'PodInitializing' } }, lastState: {}, ready: false, restarts: 0 });
  const healthy = (name: string, image: string): ContainerReport => ({ name, image, state: { running: { startedAt: isoSeconds(initDoneAt) } }, lastState: {}, ready: now >= pod.nominalReadyAt, restarts: 0 });
  const looping = (name: string, image: string, runMs: number, exitCode: number): ContainerReport => {
    const loop = crashLoop(initDoneAt, runMs, exitCode, now);
    const waiting = loop.state.waiting as { reason: string; message: string } | undefined;
    // The kubelet's CrashLoopBackOff message names the container and the pod.
    const state = waiting ? { waiting: { reason: waiting.reason, message: `${waiting.message} restarting failed container=${name} pod=${pod.name}_kube-system(${pod.uid})` } } : loop.state;
    const lastState = pod.trouble?.message && 'terminated' in loop.lastState ? { terminated: { ...(loop.lastState.terminated as object), message: pod.trouble.message } } : loop.lastState;
    return { name, image, state, lastState, ready: false, restarts: loop.restarts };
  };
  if (images.nodeAgent) {
    if (!initDone) containers.push(notStarted('aws-eks-nodeagent', images.nodeAgent));
    else if (trouble === 'agent-crash-loop') containers.push(looping('aws-eks-nodeagent', images.nodeAgent, AGENT_CRASH_RUN_MS, 1));
    else containers.push(healthy('aws-eks-nodeagent', images.nodeAgent));
  }
  if (!initDone) containers.unshift(notStarted('aws-node', images.awsNode));
  else if (trouble === 'not-ready') containers.unshift(looping('aws-node', images.awsNode, IPAM_STUCK_RUN_MS, 137));
  else containers.unshift(healthy('aws-node', images.awsNode));
  // The API server lists container statuses by name.
  containers.sort((a, b) => a.name.localeCompare(b.name));

  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const ready = unready.length === 0;
  const readySince = ready ? (pod.readyAt ?? pod.nominalReadyAt) : initDone ? initDoneAt : pod.createdAt;
  const phase = initDone ? 'Running' : 'Pending';
  return {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', true, pod.createdAt + 1000),
      condition('Initialized', initDone, initDone ? initDoneAt : pod.createdAt, { reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [aws-vpc-cni-init]' }),
      condition('Ready', ready, readySince, { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }),
      condition('ContainersReady', ready, readySince, { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }),
      condition('PodScheduled', true, pod.createdAt),
    ],
    hostIP: hostIp,
    hostIPs: [{ ip: hostIp }],
    // hostNetwork: the pod has its node's address.
    podIP: hostIp,
    podIPs: [{ ip: hostIp }],
    startTime: isoSeconds(pod.createdAt),
    initContainerStatuses: [statusOf(pod, init)],
    containerStatuses: containers.map((c) => statusOf(pod, c)),
    qosClass: 'Burstable',
  };
}
