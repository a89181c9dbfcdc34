import type { SimCluster } from '../model.js';
import type { KubeObject } from './aws-node-manifest.js';

/** The node label EKS puts on Fargate and Auto Mode nodes (and aws-node's affinity excludes). */
export const COMPUTE_TYPE_LABEL = 'eks.amazonaws.com/compute-type';

/** One requirement of a Kubernetes equality-based label selector (`k=v`, `k==v`, `k!=v`, `k`, `!k`). */
export interface LabelRequirement {
  readonly key: string;
  readonly op: 'eq' | 'neq' | 'exists' | 'absent';
  readonly value?: string;
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

/**
 * Parses an equality-based label selector; undefined when it is not one (set-based `in (…)` is not served).
 *
 * @example
 * parseLabelSelector('eks.amazonaws.com/compute-type!=fargate') // [{ key: 'eks.amazonaws.com/compute-type', op: 'neq', value: 'fargate' }]
 */
export function parseLabelSelector(text: string): LabelRequirement[] | undefined {
  const requirements: LabelRequirement[] = [];
  for (const raw of text.split(',').map((t) => t.trim()).filter((t) => t !== '')) {
    const match = /^(!?)([^!=\s]+)\s*(?:(!=|==|=)\s*(\S*))?$/.exec(raw);
    if (!match || !KEY.test(match[2]!)) return undefined;
    const [, bang, key, op, value] = match as unknown as [string, string, string, string | undefined, string | undefined];
    if (bang && op) return undefined;
    if (bang) requirements.push({ key, op: 'absent' });
    else if (!op) requirements.push({ key, op: 'exists' });
    else requirements.push({ key, op: op === '!=' ? 'neq' : 'eq', value: value ?? '' });
  }
  return requirements;
}

const matches = (labels: Record<string, string>, requirements: readonly LabelRequirement[]): boolean =>
  requirements.every((r) => {
    const value = labels[r.key];
    if (r.op === 'exists') return value !== undefined;
    if (r.op === 'absent') return value === undefined;
    if (r.op === 'eq') return value === r.value;
    return value !== r.value;
  });

/**
 * The cluster's nodes: `nodes` EC2 nodes of a managed node group, or Fargate / Auto Mode nodes labelled with
 * `eks.amazonaws.com/compute-type` (what tells a Fargate-only cluster apart: the aws-node DaemonSet has nothing to
 * run on there, seed 000 "you don't update it on Fargate nodes").
 *
 * @example
 * simNodes(cluster, [{ key: COMPUTE_TYPE_LABEL, op: 'eq', value: 'fargate' }]).length
 */
export function simNodes(cluster: SimCluster, requirements: readonly LabelRequirement[]): KubeObject[] {
  const nodes: KubeObject[] = [];
  for (let n = 0; n < cluster.nodes; n++) {
    const ip = `10.0.${Math.floor(n / 250)}.${(n % 250) + 4}`;
    const dashed = ip.replace(/\./g, '-');
    const common: Record<string, string> = { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'topology.kubernetes.io/region': cluster.region };
    const [name, labels]: [string, Record<string, string>] =
      cluster.compute === 'fargate'
        ? [`fargate-ip-${dashed}.${cluster.region}.compute.internal`, { ...common, [COMPUTE_TYPE_LABEL]: 'fargate', 'eks.amazonaws.com/fargate-profile': 'default' }]
        : cluster.compute === 'auto'
          ? [`i-${n.toString(16).padStart(17, '0')}`, { ...common, [COMPUTE_TYPE_LABEL]: 'auto', 'karpenter.sh/nodepool': 'general-purpose' }]
          : [`ip-${dashed}.${cluster.region}.compute.internal`, { ...common, 'eks.amazonaws.com/nodegroup': 'default', 'eks.amazonaws.com/capacityType': 'ON_DEMAND' }];
    if (!matches({ ...labels, 'kubernetes.io/hostname': name }, requirements)) continue;
    nodes.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { ...labels, 'kubernetes.io/hostname': name } },
      status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  return nodes;
}
