import { imageTag, type ContainerView, type DaemonSetView, type PodView } from './aws-node-objects.js';
import { VPC_CNI, type AddonWorkload } from '../addon-spec.js';

/**
 * The judgement of the pre-flight and of the rollout gate over one read of the aws-node DaemonSet and its pods
 * (docs/rollout-gate.md). Pure: the read, the clock and what earlier reads saw come in, a verdict goes out.
 */

/**
 * Reasons a kubelet gives a waiting container that mean it is failing, not starting: a crash loop, an image that
 * cannot be pulled, a container that cannot be created
 * (https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-state-waiting and the kubelet's
 * `ErrImagePull`/`ImagePullBackOff`/`CrashLoopBackOff` reasons). `PodInitializing` and `ContainerCreating` are a
 * start in progress.
 */
export const FAILING_WAIT_REASONS: ReadonlySet<string> = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'PreStartHookError',
  'PostStartHookError',
]);

/** At the pre-flight, how long a pod with no restart may take to start before "not Ready" counts against it. */
export const STARTUP_ALLOWANCE_SECONDS = 300;

/** A node, pod or container at fault, and why: what the hop record, the report and `history` show. */
export interface NodeFault {
  /** The node; null when the fault is the DaemonSet's own (missing, rollout that never completed). */
  readonly node: string | null;
  readonly pod: string | null;
  readonly container: string | null;
  /** The kubelet's waiting reason (`CrashLoopBackOff`, `ImagePullBackOff`, …) or one of ours (`RestartsGrowing`, `NotReady`, `NotUpdated`, `WrongImage`, `RolloutIncomplete`, `DaemonSetMissing`). */
  readonly reason: string;
  readonly message: string;
}

/** The DaemonSet's rollout figures at the read. */
export interface RolloutCounts {
  readonly desired: number;
  readonly updated: number;
  readonly available: number;
  /** Pods read; null when the DaemonSet alone decided. */
  readonly pods: number | null;
}

export type RolloutVerdict =
  | {
      readonly status: 'HEALTHY';
      readonly counts: RolloutCounts;
      /** What passed with a remark (a container that restarted during the rollout, then stayed up). */
      readonly notes: readonly string[];
      /** Epoch ms from which the read would have passed: the last container start plus the soak. */
      readonly settledAt: number;
    }
  | {
      readonly status: 'PENDING';
      readonly counts: RolloutCounts;
      /** Why it is not settled yet, shortest first. */
      readonly waiting: readonly string[];
      /** True while pods are still being replaced or started: worth another look after a poll interval. */
      readonly rolling: boolean;
      /** Epoch ms at which the soak of every container will have passed, when only the soak is left. */
      readonly soakEndsAt: number | null;
      /** Restart counts of the containers that restarted during the hop, to compare with at the next read. */
      readonly restarts: Readonly<Record<string, number>>;
    }
  | { readonly status: 'UNHEALTHY'; readonly counts: RolloutCounts; readonly faults: readonly NodeFault[] };

export interface RolloutRules {
  /** `preflight`: before any change (starting pods are waited for, restarts are the baseline); `gate`: after a hop. */
  readonly mode: 'preflight' | 'gate';
  /** The add-on's workload (its spec's): the DaemonSet and the containers judged. Default vpc-cni's aws-node. */
  readonly workload?: AddonWorkload | undefined;
  /** The gate: the hop's build; the template's aws-node and init images must carry its tag. */
  readonly version?: string | undefined;
  /** Every container must have run this long without a restart (gate only; 0: no soak). */
  readonly soakSeconds: number;
  /** Restart counts the pre-flight saw (non-zero only), by `<pod uid>/<container>`. */
  readonly baseline: Readonly<Record<string, number>>;
  /** Restart counts of restarted containers at this hop's previous read, by `<pod uid>/<container>`. */
  readonly restartsSeen: Readonly<Record<string, number>>;
  /** Epoch ms after which anything still pending is a fault (the hop's deadline). */
  readonly deadline?: number | undefined;
}

const MESSAGE_CHARS = 300;
const clip = (text: string): string => (text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS - 1)}…` : text);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const lastExit = (c: ContainerView): string =>
  c.lastTermination ? `; last exit ${c.lastTermination.exitCode} ${c.lastTermination.reason}${c.lastTermination.message ? `: ${c.lastTermination.message}` : ''}` : '';

/** A container's key in the baseline and in `restartsSeen`. */
export const restartKey = (pod: Pick<PodView, 'uid'>, container: Pick<ContainerView, 'name'>): string => `${pod.uid}/${container.name}`;

/**
 * The restart counts to keep as the pre-flight's baseline: every container that has restarted, by restartKey.
 *
 * @example
 * restartBaseline(pods) // { '5f0c…/aws-node': 2 }
 */
export function restartBaseline(pods: readonly PodView[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pod of pods) for (const c of pod.containers) if (c.restartCount > 0) out[restartKey(pod, c)] = c.restartCount;
  return out;
}

/** True when the pod's images are the template's (container by container): the controller has replaced it. */
const runsTemplate = (pod: PodView, ds: DaemonSetView): boolean =>
  pod.containers.every((c) => ds.templateImages[c.name] === undefined || imageTag(c.specImage) === imageTag(ds.templateImages[c.name]!));

/**
 * Judges one read. UNHEALTHY names every node, pod and container at fault; PENDING says what is still moving (a
 * rollout in progress, a pod starting, a node that joined, a soak not yet over); HEALTHY means `kubectl rollout
 * status` would say the rollout is complete, every pod runs the template's images (the hop's build), every
 * container is Ready and (gate) none restarted within the soak.
 *
 * A node that joined during the hop is never a fault by itself: its pod is new, has no restart and waits only in
 * PodInitializing/ContainerCreating until it is Ready, so it is PENDING until then and soaks like the others.
 *
 * @example
 * judgeRollout(daemonSetView(ds), pods.map(podView), { mode: 'gate', version: 'v1.19.2-eksbuild.1', soakSeconds: 120, baseline: {}, restartsSeen: {} }, Date.now())
 * // { status: 'PENDING', waiting: ['38/40 pods updated'], rolling: true, … }
 */
export function judgeRollout(ds: DaemonSetView | undefined, pods: readonly PodView[] | undefined, rules: RolloutRules, now: number): RolloutVerdict {
  const counts: RolloutCounts = { desired: ds?.desired ?? 0, updated: ds?.updated ?? 0, available: ds?.available ?? 0, pods: pods ? pods.length : null };
  const workload = rules.workload ?? VPC_CNI.workload;
  if (!ds) return { status: 'UNHEALTHY', counts, faults: [{ node: null, pod: null, container: null, reason: 'DaemonSetMissing', message: `${workload.namespace}/daemonset/${workload.daemonSet} does not exist` }] };
  const gate = rules.mode === 'gate';
  const soakMs = gate ? rules.soakSeconds * 1000 : 0;
  const overdue = rules.deadline !== undefined && now >= rules.deadline;
  const faults: NodeFault[] = [];
  // Pending items that become faults at the deadline; `rolling` ones are worth a look after a poll interval.
  const pending: NodeFault[] = [];
  const notes: string[] = [];
  const restarts: Record<string, number> = {};
  let soakEndsAt = 0;
  let settledAt = 0;

  // The DaemonSet: the template at the hop's build, the new template observed, every node updated and available.
  if (gate && rules.version) {
    for (const name of workload.imageContainers) {
      const image = ds.templateImages[name];
      if (image !== undefined && imageTag(image) !== rules.version)
        pending.push({ node: null, pod: null, container: name, reason: 'TemplateVersion', message: `the DaemonSet's template runs ${name} ${imageTag(image) || image}, not ${rules.version}` });
    }
  }
  if (ds.observedGeneration < ds.generation || ds.updated < ds.desired || ds.available < ds.desired) {
    pending.push({
      node: null,
      pod: null,
      container: null,
      reason: 'RolloutIncomplete',
      message: `rollout not complete: ${ds.updated}/${ds.desired} pods updated, ${ds.available}/${ds.desired} available${ds.observedGeneration < ds.generation ? `, generation ${ds.generation} not yet observed` : ''}`,
    });
  }

  for (const pod of pods ?? []) {
    const at = { node: pod.node || null, pod: pod.name };
    const age = pod.createdAt === undefined ? Infinity : now - pod.createdAt;
    const updated = runsTemplate(pod, ds);
    const anyRestart = pod.containers.some((c) => c.restartCount > (rules.baseline[restartKey(pod, c)] ?? 0));
    for (const c of pod.containers) {
      const key = restartKey(pod, c);
      const count = c.restartCount;
      if (c.waiting && FAILING_WAIT_REASONS.has(c.waiting.reason)) {
        faults.push({ ...at, container: c.name, reason: c.waiting.reason, message: clip(`${c.waiting.message ?? c.waiting.reason}${count > 0 ? `; ${plural(count, 'restart')}` : ''}${lastExit(c)}`) });
        continue;
      }
      // The kubelet runs what the spec names; a created container that reports another tag runs something else.
      if (updated && c.image !== '' && imageTag(c.image) !== '' && imageTag(c.image) !== imageTag(c.specImage))
        faults.push({ ...at, container: c.name, reason: 'WrongImage', message: `${c.name} runs ${c.image}, its pod asks for ${imageTag(c.specImage)}` });
      const base = rules.baseline[key] ?? 0;
      if (gate && count > base) {
        const seen = rules.restartsSeen[key];
        if (seen !== undefined && count > seen) {
          faults.push({ ...at, container: c.name, reason: 'RestartsGrowing', message: clip(`${c.name} restarted again while watched (${seen} → ${count} restarts)${lastExit(c)}`) });
          continue;
        }
        const stable = c.init ? c.terminated?.reason === 'Completed' : c.ready && c.runningSince !== undefined && c.runningSince <= now - soakMs;
        if (stable) notes.push(`${pod.node}: ${c.name} restarted ${plural(count - base, 'time')} during the rollout, then stayed up${lastExit(c)}`);
        else {
          restarts[key] = count;
          pending.push({ ...at, container: c.name, reason: 'Restarted', message: clip(`${c.name} restarted ${plural(count - base, 'time')} and has not run ${rules.soakSeconds} s since${lastExit(c)}`) });
        }
      }
      if (!c.init && c.runningSince !== undefined) {
        settledAt = Math.max(settledAt, c.runningSince + soakMs);
        if (c.runningSince + soakMs > now) soakEndsAt = Math.max(soakEndsAt, c.runningSince + soakMs);
      }
    }
    if (!updated) {
      const tags = [...new Set(pod.containers.filter((c) => workload.imageContainers.includes(c.name)).map((c) => imageTag(c.specImage)))].join(', ');
      pending.push({ ...at, container: null, reason: 'NotUpdated', message: `still runs ${tags || 'an older template'}, the template asks for ${imageTag(ds.templateImages[workload.versionContainer] ?? '')}` });
    } else if (!pod.ready && !faults.some((f) => f.pod === pod.name)) {
      // A pod whose container is already named at fault is not named again for being not Ready.
      const starting = !anyRestart && pod.containers.every((c) => c.runningSince !== undefined || c.terminated !== undefined || (c.waiting !== undefined && !FAILING_WAIT_REASONS.has(c.waiting.reason)));
      // Pre-flight: a pod that is only starting (a node that just joined) is waited for; one that should have started is a fault.
      if (!gate && !(starting && age < STARTUP_ALLOWANCE_SECONDS * 1000)) faults.push({ ...at, container: null, reason: 'NotReady', message: pod.notReadyMessage ?? 'not Ready' });
      else pending.push({ ...at, container: null, reason: 'NotReady', message: pod.notReadyMessage ?? 'not Ready' });
    }
  }
  const soaking = soakEndsAt > now;
  if (faults.length > 0 || (overdue && (pending.length > 0 || soaking)))
    return {
      status: 'UNHEALTHY',
      counts,
      faults: sortFaults([
        ...faults,
        ...(faults.length > 0 ? [] : pending),
        ...(faults.length === 0 && soaking ? [{ node: null, pod: null, container: null, reason: 'NotSoaked', message: `containers had not run ${rules.soakSeconds} s without a restart by the hop's deadline` }] : []),
      ]),
    };
  if (pending.length > 0 || soaking) {
    const waiting = summarise(pending);
    if (soaking) waiting.push(`soak: every container up ${rules.soakSeconds} s without a restart (until ${new Date(soakEndsAt).toISOString()})`);
    return { status: 'PENDING', counts, waiting, rolling: pending.length > 0, soakEndsAt: soaking ? soakEndsAt : null, restarts };
  }
  return { status: 'HEALTHY', counts, notes, settledAt: settledAt > 0 ? Math.min(now, settledAt) : now };
}

const sortFaults = (faults: NodeFault[]): NodeFault[] =>
  faults.sort((a, b) => (a.node ?? '').localeCompare(b.node ?? '') || (a.container ?? '').localeCompare(b.container ?? '') || a.reason.localeCompare(b.reason));

/** Pending items as a few lines: the DaemonSet's own, then per reason the count and the first nodes. */
function summarise(pending: readonly NodeFault[]): string[] {
  const lines = pending.filter((p) => p.node === null).map((p) => p.message);
  const byReason = new Map<string, string[]>();
  for (const p of pending) if (p.node !== null) byReason.set(p.reason, [...(byReason.get(p.reason) ?? []), p.node]);
  for (const [reason, nodes] of byReason) lines.push(`${reason}: ${nodes.length} (${nodes.slice(0, 3).join(', ')}${nodes.length > 3 ? ', …' : ''})`);
  return lines;
}
