import type { FleetCluster, NodeGroup } from '../../lib/fleet/fleet-file.js';
import { hexOf, uuidOf } from '../../lib/stable-id.js';
import { isoSeconds, type KubeObject } from '../../lib/kubernetes/kube-object.js';

/** The node label EKS puts on Fargate and Auto Mode nodes (and aws-node's affinity excludes). */
const COMPUTE_TYPE_LABEL = 'eks.amazonaws.com/compute-type';

export interface NodeTaint {
  readonly key: string;
  readonly value?: string | undefined;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** One node of a simulated cluster. */
export interface SimNode {
  readonly name: string;
  /** Its managed node group (`eks.amazonaws.com/nodegroup`); Fargate and Auto Mode nodes have none. */
  readonly group?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly ip: string;
  readonly instanceType: string;
  readonly providerId: string;
  /** Virtual epoch ms the node registered. */
  readonly joinedAt: number;
  /** An EC2 node the aws-node DaemonSet runs on (not Fargate, not Auto Mode). */
  readonly runsAwsNode: boolean;
  /**
   * When the node's pod network first came up (its first aws-node pod Ready): until then the kubelet reports the
   * node NotReady, "cni plugin not initialized". Nodes present from the start: their join time. null: not yet.
   */
  cniReadyAt: number | null;
}

/** vCPU, memory (GiB), pods (the ENI-based max-pods EKS AMIs set) and GPUs of the instance types worth naming. */
const INSTANCE_TYPES: Readonly<Record<string, readonly [cpu: number, memoryGiB: number, pods: number, gpus: number]>> = {
  'm5.large': [2, 8, 29, 0],
  'm5.xlarge': [4, 16, 58, 0],
  'm5.2xlarge': [8, 32, 58, 0],
  'm6i.large': [2, 8, 29, 0],
  'm7g.large': [2, 8, 29, 0],
  'm7g.xlarge': [4, 16, 58, 0],
  'c5.2xlarge': [8, 16, 58, 0],
  'c6g.xlarge': [4, 8, 58, 0],
  'r5.xlarge': [4, 32, 58, 0],
  'g5.xlarge': [4, 16, 58, 1],
  'g5.12xlarge': [48, 192, 234, 4],
  'p3.2xlarge': [8, 61, 58, 1],
  'p4d.24xlarge': [96, 1152, 737, 8],
};

/** Graviton families (a `g` after the generation: m7g, c6gn, r8g) run arm64. */
const archOf = (instanceType: string): 'amd64' | 'arm64' => (/^[a-z]+\d+g[a-z]*\./.test(instanceType) ? 'arm64' : 'amd64');

/** The cluster's node groups: the fleet file's, or one group "default" of `nodes` m5.large nodes. */
export function nodeGroupsOf(spec: Pick<FleetCluster, 'nodes' | 'nodeGroups'>): NodeGroup[] {
  return spec.nodeGroups ?? [{ name: 'default', count: spec.nodes, instanceType: 'm5.large', capacityType: 'ON_DEMAND', labels: {}, taints: [] }];
}

/** The parts of a cluster its nodes are named and labelled from. */
export interface NodeCluster {
  readonly region: string;
  readonly uid: string;
  readonly compute: FleetCluster['compute'];
}

/**
 * Node number `index` of the cluster, as EKS names and labels it: `ip-10-0-X-Y.<region>.compute.internal` for EC2
 * (managed node group labels, instance type, zone), `fargate-ip-…` with `eks.amazonaws.com/compute-type: fargate`,
 * or an `i-…` Auto Mode node.
 *
 * @example
 * buildNode(cluster, 0, group, start).name // 'ip-10-0-0-4.us-east-1.compute.internal'
 */
export function buildNode(cluster: NodeCluster, index: number, group: NodeGroup, joinedAt: number): SimNode {
  const ip = `10.0.${Math.floor(index / 250)}.${(index % 250) + 4}`;
  const dashed = ip.replace(/\./g, '-');
  const zone = `${cluster.region}${'abc'[index % 3]}`;
  const instanceId = `i-0${hexOf(`${cluster.uid}/node/${index}`, 16)}`;
  const common = { 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/region': cluster.region, 'topology.kubernetes.io/zone': zone };
  if (cluster.compute !== 'ec2') {
    const fargate = cluster.compute === 'fargate';
    const name = fargate ? `fargate-ip-${dashed}.${cluster.region}.compute.internal` : `i-${index.toString(16).padStart(17, '0')}`;
    const labels = fargate
      ? { ...common, 'kubernetes.io/arch': 'amd64', [COMPUTE_TYPE_LABEL]: 'fargate', 'eks.amazonaws.com/fargate-profile': 'default' }
      : { ...common, 'kubernetes.io/arch': 'amd64', [COMPUTE_TYPE_LABEL]: 'auto', 'karpenter.sh/nodepool': 'general-purpose' };
    return { name, labels: { ...labels, 'kubernetes.io/hostname': name }, taints: [], ip, instanceType: fargate ? 'fargate' : 'c6a.large', providerId: `aws:///${zone}/${fargate ? `fargate-${ip}` : instanceId}`, joinedAt, runsAwsNode: false, cniReadyAt: joinedAt };
  }
  const name = `ip-${dashed}.${cluster.region}.compute.internal`;
  const labels: Record<string, string> = {
    ...common,
    'kubernetes.io/arch': archOf(group.instanceType),
    'node.kubernetes.io/instance-type': group.instanceType,
    'eks.amazonaws.com/nodegroup': group.name,
    'eks.amazonaws.com/capacityType': group.capacityType,
    ...group.labels,
    'kubernetes.io/hostname': name,
  };
  return { name, group: group.name, labels, taints: group.taints, ip, instanceType: group.instanceType, providerId: `aws:///${zone}/${instanceId}`, joinedAt, runsAwsNode: true, cniReadyAt: joinedAt };
}

/** Every node a cluster starts with, group after group. */
export function buildNodes(cluster: NodeCluster, spec: Pick<FleetCluster, 'nodes' | 'nodeGroups'>, joinedAt: number): SimNode[] {
  const nodes: SimNode[] = [];
  for (const group of nodeGroupsOf(spec)) for (let i = 0; i < group.count; i++) nodes.push(buildNode(cluster, nodes.length, group, joinedAt));
  return nodes;
}

/**
 * A node as the API server returns it at virtual time `now`: labels, taints, addresses, capacity, and the Ready
 * condition. A node that joined and has no working pod network yet is NotReady with the kubelet's message and the
 * `node.kubernetes.io/not-ready` taint, as a new EKS node is until its aws-node pod runs.
 */
export function renderNode(node: SimNode, now: number, kubernetesVersion: string): KubeObject {
  const [cpu, memoryGiB, pods, gpus] = INSTANCE_TYPES[node.instanceType] ?? [2, 8, 29, 0];
  const ready = node.cniReadyAt !== null && node.cniReadyAt <= now;
  const capacity: Record<string, string> = { cpu: String(cpu), memory: `${memoryGiB * 1024 * 1024}Ki`, pods: String(pods), 'ephemeral-storage': '83873772Ki' };
  if (gpus > 0) capacity['nvidia.com/gpu'] = String(gpus);
  const allocatable = { ...capacity, cpu: `${cpu * 1000 - 80}m`, memory: `${Math.round(memoryGiB * 1024 * 1024 * 0.9)}Ki` };
  const heartbeat = isoSeconds(Math.max(node.joinedAt, now - 20_000));
  const since = isoSeconds(ready ? (node.cniReadyAt ?? node.joinedAt) : node.joinedAt);
  return {
    metadata: {
      name: node.name,
      uid: uuidOf(`node/${node.providerId}`),
      resourceVersion: String(Math.max(1, Math.floor(now / 1000))),
      creationTimestamp: isoSeconds(node.joinedAt),
      labels: { ...node.labels },
      annotations: { 'alpha.kubernetes.io/provided-node-ip': node.ip, 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      providerID: node.providerId,
      ...(node.taints.length > 0 || !ready
        ? { taints: [...node.taints.map((t) => ({ ...t })), ...(ready ? [] : [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }])] }
        : {}),
    },
    status: {
      capacity,
      allocatable,
      addresses: [
        { type: 'InternalIP', address: node.ip },
        { type: 'InternalDNS', address: node.name.startsWith('ip-') ? node.name : `ip-${node.ip.replace(/\./g, '-')}.ec2.internal` },
        { type: 'Hostname', address: node.name },
      ],
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: isoSeconds(node.joinedAt), reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'DiskPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: isoSeconds(node.joinedAt), reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
        { type: 'PIDPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: isoSeconds(node.joinedAt), reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
        ready
          ? { type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: since, reason: 'KubeletReady', message: 'kubelet is posting ready status' }
          : {
              type: 'Ready',
              status: 'False',
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: since,
              reason: 'KubeletNotReady',
              message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
            },
      ],
      nodeInfo: {
        architecture: node.labels['kubernetes.io/arch'] ?? 'amd64',
        containerRuntimeVersion: 'containerd://1.7.27',
        kubeletVersion: `v${kubernetesVersion}.0-eks-${hexOf(`kubelet/${kubernetesVersion}`, 7)}`,
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023.7.20250512',
      },
    },
  };
}

