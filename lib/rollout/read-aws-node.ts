import type { KubeGet } from '../kubernetes/kube-api.js';
import type { JsonObject, JsonValue } from '../json.js';
import { daemonSetView, podView, type DaemonSetView, type PodView } from './aws-node-objects.js';
import { VPC_CNI, type AddonWorkload } from '../addon-spec.js';

/** What one read of the aws-node DaemonSet found, and how many GETs it took. */
export interface AwsNodeRead {
  /** Undefined when the DaemonSet does not exist. */
  readonly daemonSet: DaemonSetView | undefined;
  /** Undefined when the pods were not needed (the DaemonSet alone decided). */
  readonly pods: PodView[] | undefined;
  readonly requests: number;
}

const isObject = (value: JsonValue | undefined): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Pods per page: the API server's recommended chunk size (kubectl's default `--chunk-size`), one page up to 500 nodes. */
const PAGE = 500;

/**
 * Reads the aws-node DaemonSet (or another add-on's workload, as its spec names it), then, when `wantPods` says so for what the DaemonSet shows, its pods (by the
 * DaemonSet's own selector, in pages of 500). The DaemonSet is a few kilobytes; the pods are about 8 KB each, so
 * they are read only when a verdict needs them (docs/rollout-gate.md, "Cost").
 *
 * @example
 * const { daemonSet, pods } = await readAwsNode(get, () => true);
 */
export async function readAwsNode(get: KubeGet, wantPods: (daemonSet: DaemonSetView) => boolean, workload: AddonWorkload = VPC_CNI.workload): Promise<AwsNodeRead> {
  const json = await get(`/apis/apps/v1/namespaces/${workload.namespace}/daemonsets/${workload.daemonSet}`);
  if (!json) return { daemonSet: undefined, pods: undefined, requests: 1 };
  const daemonSet = daemonSetView(json);
  if (!wantPods(daemonSet)) return { daemonSet, pods: undefined, requests: 1 };
  const pods: PodView[] = [];
  let requests = 1;
  let next: string | undefined;
  do {
    const page = await get(`/api/v1/namespaces/${workload.namespace}/pods`, { labelSelector: daemonSet.selector || workload.podSelector, limit: String(PAGE), ...(next ? { continue: next } : {}) });
    requests += 1;
    const items = Array.isArray(page?.items) ? page.items : [];
    for (const item of items) if (isObject(item)) pods.push(podView(item));
    const token = isObject(page?.metadata) ? page.metadata.continue : undefined;
    next = typeof token === 'string' && token !== '' ? token : undefined;
  } while (next);
  return { daemonSet, pods, requests };
}
