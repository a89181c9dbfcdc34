import { isCniFleetError } from '../errors.js';
import type { KubeGet } from '../kubernetes/kube-api.js';
import type { PodView } from './aws-node-objects.js';
import { readAwsNode } from './read-aws-node.js';
import { VPC_CNI } from '../addon-spec.js';
import { judgeRollout, type RolloutRules, type RolloutVerdict } from './rollout-verdict.js';

/**
 * What an unreachable or forbidden Kubernetes API means for the pre-flight and the gate (options.kubernetesAccess):
 * `required` stops the cluster, `best-effort` records a warning and lets EKS's own checks decide, `off` never reads.
 */
export type KubernetesAccess = 'required' | 'best-effort' | 'off';

/** One check of aws-node: the verdict and what it read, or, best-effort, why it could not look. */
export type AwsNodeCheck =
  | {
      readonly kind: 'checked';
      readonly verdict: RolloutVerdict;
      /** The pods read (the pre-flight keeps their restart counts as the baseline); undefined when not needed. */
      readonly pods: readonly PodView[] | undefined;
      /** Kubernetes GETs made. */
      readonly requests: number;
    }
  | { readonly kind: 'unchecked'; readonly warning: string };

const ACCESS_ERRORS = new Set(['KubernetesAccessError', 'KubernetesUnavailableError']);

/**
 * Reads the aws-node DaemonSet (and its pods when the verdict needs them) and judges it. The gate reads the pods
 * only when the DaemonSet alone cannot decide: when there is a soak to judge, or the rollout is not complete; the
 * pre-flight always reads them, for the baseline. With `best-effort`, a refused or unreachable API (and only that)
 * comes back as a warning instead of an error.
 *
 * @throws KubernetesAccessError / KubernetesUnavailableError with `required`
 * @example
 * const check = await checkAwsNode(() => kubeApi(target), { mode: 'gate', version: hop.to, soakSeconds: 120, baseline: {}, restartsSeen: {} }, 'required', Date.now);
 */
export async function checkAwsNode(connect: () => Promise<KubeGet>, rules: RolloutRules, access: Exclude<KubernetesAccess, 'off'>, now: () => number): Promise<AwsNodeCheck> {
  try {
    const get = await connect();
    const workload = rules.workload ?? VPC_CNI.workload;
    const read = await readAwsNode(
      get,
      (ds) => rules.mode === 'preflight' || rules.soakSeconds > 0 || ds.observedGeneration < ds.generation || ds.updated < ds.desired || ds.available < ds.desired || !templateAt(ds.templateImages[workload.versionContainer], rules.version),
      workload,
    );
    return { kind: 'checked', verdict: judgeRollout(read.daemonSet, read.pods, rules, now()), pods: read.pods, requests: read.requests };
  } catch (error) {
    if (access === 'best-effort' && isCniFleetError(error) && ACCESS_ERRORS.has(error.name)) return { kind: 'unchecked', warning: `aws-node not checked (kubernetesAccess best-effort): ${error.message}` };
    throw error;
  }
}

/** True when the template's image of the version container carries the hop's tag (or there is no hop to compare with). */
const templateAt = (image: string | undefined, version: string | undefined): boolean => version === undefined || (image ?? '').endsWith(`:${version}`);
