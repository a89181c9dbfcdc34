import type { FleetCluster, SelfManaged } from '../fleet/fleet-file.js';
import { hexOf, uuidOf } from '../stable-id.js';
import { isoSeconds, type KubeObject } from './kube-object.js';

/**
 * What the manifest of a version depends on, supplied by whoever renders it: the simulator brings its own reading
 * of versions and of the stock env (so it stays an independent judge of a migration), the product its own.
 */
export interface ManifestRules {
  /** Negative when `a` is older, 0 when equal, positive when newer. */
  compare(a: string, b: string): number;
  /** The `aws-node` container's stock env at `version`. */
  stockAwsNodeEnv(version: string): Record<string, string>;
  /** The `aws-vpc-cni-init` container's stock env at `version`. */
  stockInitEnv(version: string): Record<string, string>;
}

/** The container images of a pod's template, by container name. */
export interface PodImages {
  readonly init: string;
  readonly awsNode: string;
  /** Absent before v1.14 (no network policy agent). */
  readonly nodeAgent?: string | undefined;
}

/** The numbers of a DaemonSet's `status`, as `updateDaemonSetStatus` counts them. */
export interface DaemonSetStatus {
  readonly desiredNumberScheduled: number;
  readonly currentNumberScheduled: number;
  readonly updatedNumberScheduled: number;
  readonly numberReady: number;
  readonly numberAvailable: number;
  readonly numberUnavailable: number;
  readonly numberMisscheduled: number;
  readonly observedGeneration: number;
}

/** The account that hosts the EKS images in most regions (aws/amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml). */
const ECR_ACCOUNT = '602401143452';

const labels = (version: string): Record<string, string> => ({
  'app.kubernetes.io/instance': 'aws-vpc-cni',
  'app.kubernetes.io/name': 'aws-node',
  'app.kubernetes.io/version': version,
  'k8s-app': 'aws-node',
});

/**
 * The network policy agent each vpc-cni minor line ships with. APPROXIMATION: each upstream release pins one agent
 * release (its CHANGELOG); these pairs are ones seen in public clusters' manifests (v1.16.4 with v1.0.8, v1.19.6
 * with v1.2.2, v1.20.x with v1.2.7, v1.21.1 with v1.3.1; v1.23.0 requires v1.4.1). What matters to a reader is
 * that the agent's tag moves with the add-on's build, as it does in EKS.
 */
const NODE_AGENT_BY_MINOR: Readonly<Record<number, string>> = {
  14: 'v1.0.1',
  15: 'v1.0.5',
  16: 'v1.0.8',
  17: 'v1.0.8',
  18: 'v1.1.1',
  19: 'v1.2.2',
  20: 'v1.2.7',
  21: 'v1.3.1',
  22: 'v1.3.2',
  23: 'v1.4.1',
};

const nodeAgentTag = (rules: ManifestRules, version: string): string => {
  const known = Object.keys(NODE_AGENT_BY_MINOR).map(Number).filter((m) => rules.compare(version, `v1.${m}.0`) >= 0);
  return `${NODE_AGENT_BY_MINOR[Math.max(...known, 14)]}-eksbuild.1`;
};

/** Network policy arrived with v1.14.0: the agent container ships from then on. */
const hasNodeAgent = (rules: ManifestRules, version: string): boolean => rules.compare(version, 'v1.14.0') >= 0;

/** The container images of the template for `version` in `region`. */
export function templateImages(rules: ManifestRules, region: string, version: string): PodImages {
  const image = (repository: string, tag: string): string => `${ECR_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repository}:${tag}`;
  return {
    init: image('amazon-k8s-cni-init', version),
    awsNode: image('amazon-k8s-cni', version),
    nodeAgent: hasNodeAgent(rules, version) ? image('amazon/aws-network-policy-agent', nodeAgentTag(rules, version)) : undefined,
  };
}

/** The parts of a cluster its aws-node manifests depend on (`addon` set: EKS manages aws-node). */
export interface ManifestCluster {
  readonly name: string;
  readonly region: string;
  readonly uid: string;
  readonly createdAt: number;
  readonly addon?: object | undefined;
}

/** Where the DaemonSet stands: its metadata and status come from whoever rolls it out (the simulator's rollout). */
export interface DaemonSetProgress {
  readonly uid: string;
  readonly createdAt: number;
  readonly generation: number;
  readonly status: DaemonSetStatus;
  /** Virtual ms of the last change, for `resourceVersion`. */
  readonly changedAt: number;
}

/**
 * The aws-node DaemonSet and ServiceAccount a fleet file's self-managed cluster starts with: what the simulator
 * serves before any change, so an offline plan (`cni-fleet plan --fleet`) translates the same manifests.
 *
 * @example
 * fleetClusterManifests(rules, fleet.clusters[0]) // { daemonSet: {…}, serviceAccount: {…} } or undefined
 */
export function fleetClusterManifests(rules: ManifestRules, cluster: FleetCluster): { daemonSet: KubeObject; serviceAccount: KubeObject } | undefined {
  if (!cluster.selfManaged || cluster.compute === 'auto') return undefined;
  const at: ManifestCluster = { name: cluster.name, region: cluster.region, uid: hexOf(`${cluster.accountId}/${cluster.region}/${cluster.name}`), createdAt: 0, addon: undefined };
  const scheduled = cluster.compute === 'ec2' ? cluster.nodes : 0;
  const progress: DaemonSetProgress = {
    uid: uuidOf(`ds/${at.uid}`),
    createdAt: 0,
    generation: 1,
    changedAt: 0,
    status: {
      desiredNumberScheduled: scheduled,
      currentNumberScheduled: scheduled,
      updatedNumberScheduled: scheduled,
      numberReady: scheduled,
      numberAvailable: scheduled,
      numberUnavailable: 0,
      numberMisscheduled: 0,
      observedGeneration: 1,
    },
  };
  return { daemonSet: awsNodeDaemonSet(rules, at, cluster.selfManaged, progress), serviceAccount: awsNodeServiceAccount(at, cluster.selfManaged) };
}

const envList = (env: Record<string, string>): KubeObject[] => Object.entries(env).map(([name, value]) => ({ name, value }));

const fieldRef = (name: string, fieldPath: string): KubeObject => ({ name, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } } });

/** Deep-merges a fleet file's `extras` into the pod spec: arrays append (an extra volume), objects merge. */
function mergeExtras(spec: KubeObject, extras: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(extras)) {
    const current = spec[key];
    if (Array.isArray(current) && Array.isArray(value)) spec[key] = [...(current as unknown[]), ...(value as unknown[])];
    else if (isObject(current) && isObject(value)) spec[key] = { ...current, ...value };
    else spec[key] = structuredClone(value);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const hostPath = (name: string, path: string, type?: string): KubeObject => ({ name, hostPath: { path, ...(type ? { type } : {}) } });

/**
 * The aws-node DaemonSet as `kubectl get daemonset aws-node -n kube-system -o json` shows it, in the shape of the
 * upstream manifest (config/master/aws-k8s-cni.yaml: init container aws-vpc-cni-init, container aws-node, the
 * network policy agent from v1.14, hostPath volumes, `operator: Exists` toleration, node affinity that keeps it
 * off Fargate), with the install's custom env, resources, tolerations and extras applied over the defaults of its
 * version (docs/vpc-cni-settings.md#aws-node-environment-variables).
 *
 * @example
 * awsNodeDaemonSet(rules, cluster, { version: 'v1.15.1', env: { WARM_IP_TARGET: '3' } }, progress).spec.template.spec.containers[0].env
 */
export function awsNodeDaemonSet(rules: ManifestRules, cluster: ManifestCluster, source: SelfManaged, progress: DaemonSetProgress): KubeObject {
  const template = podTemplate(rules, cluster, source);
  const created = isoSeconds(progress.createdAt);
  const { observedGeneration, ...counts } = progress.status;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'aws-node',
      namespace: 'kube-system',
      uid: progress.uid,
      resourceVersion: String(Math.max(1, Math.floor(progress.changedAt / 1000))),
      generation: progress.generation,
      creationTimestamp: created,
      labels: labels(source.version),
      annotations: { 'deprecated.daemonset.template.generation': String(progress.generation) },
      // What the API server keeps and `kubectl get -o yaml` hides since Kubernetes 1.21: the snapshot must not
      // depend on it.
      managedFields: [{ manager: cluster.addon ? 'eks' : 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', time: created, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
    },
    spec: {
      revisionHistoryLimit: 10,
      selector: { matchLabels: { 'k8s-app': 'aws-node' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } },
      template,
    },
    status: { ...counts, observedGeneration },
  };
}

/**
 * The pod template (`spec.template`) for an install: the upstream manifest's pod spec with the install's custom env,
 * resources, tolerations and extras over the defaults of its version.
 */
export function podTemplate(rules: ManifestRules, cluster: Pick<ManifestCluster, 'name' | 'region' | 'uid'>, source: SelfManaged): { metadata: { labels: Record<string, string> }; spec: KubeObject } {
  const version = source.version;
  const images = templateImages(rules, cluster.region, version);
  const env: Record<string, string> = { ...rules.stockAwsNodeEnv(version), ...source.env };
  const initEnv: Record<string, string> = { ...rules.stockInitEnv(version), ...source.initEnv };
  const resources = source.resources ?? { requests: { cpu: '25m' } };
  const vpcId = `vpc-${hexOf(`vpc/${cluster.uid}`, 17)}`;
  const containers: KubeObject[] = [
    {
      name: 'aws-node',
      image: images.awsNode,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ containerPort: 61678, name: 'metrics', protocol: 'TCP' }],
      livenessProbe: { exec: { command: ['/app/grpc-health-probe', '-addr=:50051', '-connect-timeout=5s', '-rpc-timeout=5s'] }, initialDelaySeconds: 60, timeoutSeconds: 10 },
      readinessProbe: { exec: { command: ['/app/grpc-health-probe', '-addr=:50051', '-connect-timeout=5s', '-rpc-timeout=5s'] }, initialDelaySeconds: 1, timeoutSeconds: 10 },
      env: [
        ...envList(Object.fromEntries(Object.entries({ ...env, CLUSTER_NAME: env.CLUSTER_NAME ?? cluster.name, VPC_CNI_VERSION: version, VPC_ID: vpcId }).sort(([a], [b]) => a.localeCompare(b)))),
        fieldRef('MY_NODE_NAME', 'spec.nodeName'),
        fieldRef('MY_POD_NAME', 'metadata.name'),
      ],
      resources: structuredClone(resources),
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
      volumeMounts: [
        { mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' },
        { mountPath: '/host/etc/cni/net.d', name: 'cni-net-dir' },
        { mountPath: '/host/var/log/aws-routed-eni', name: 'log-dir' },
        { mountPath: '/var/run/aws-node', name: 'run-dir' },
        { mountPath: '/run/xtables.lock', name: 'xtables-lock' },
      ],
    },
  ];
  // Network policy arrived with v1.14.0 (sim/configuration-schemas.ts): the agent container ships from then on.
  if (images.nodeAgent)
    containers.push({
      name: 'aws-eks-nodeagent',
      image: images.nodeAgent,
      args: ['--enable-ipv6=false', '--enable-network-policy=false', '--enable-cloudwatch-logs=false', '--metrics-bind-addr=:8162', '--health-probe-bind-addr=:8163'],
      env: [fieldRef('MY_NODE_NAME', 'spec.nodeName')],
      resources: { requests: { cpu: '25m' } },
      securityContext: { capabilities: { add: ['NET_ADMIN'] }, privileged: true },
      volumeMounts: [
        { mountPath: '/sys/fs/bpf', name: 'bpf-pin-path' },
        { mountPath: '/var/log/aws-routed-eni', name: 'log-dir' },
        { mountPath: '/var/run/aws-node', name: 'run-dir' },
      ],
    });
  const podSpec: KubeObject = {
    priorityClassName: 'system-node-critical',
    serviceAccountName: 'aws-node',
    serviceAccount: 'aws-node',
    hostNetwork: true,
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 10,
    securityContext: {},
    initContainers: [
      {
        name: 'aws-vpc-cni-init',
        image: images.init,
        imagePullPolicy: 'IfNotPresent',
        env: envList(initEnv),
        resources: { requests: { cpu: '25m' } },
        securityContext: { privileged: true },
        volumeMounts: [{ mountPath: '/host/opt/cni/bin', name: 'cni-bin-dir' }],
      },
    ],
    containers,
    tolerations: structuredClone(source.tolerations ?? [{ operator: 'Exists' }]),
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] },
                { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] },
                { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate', 'hybrid', 'auto'] },
              ],
            },
          ],
        },
      },
    },
    volumes: [
      hostPath('bpf-pin-path', '/sys/fs/bpf'),
      hostPath('cni-bin-dir', '/opt/cni/bin'),
      hostPath('cni-net-dir', '/etc/cni/net.d'),
      hostPath('log-dir', '/var/log/aws-routed-eni', 'DirectoryOrCreate'),
      hostPath('run-dir', '/var/run/aws-node', 'DirectoryOrCreate'),
      hostPath('xtables-lock', '/run/xtables.lock', 'FileOrCreate'),
    ],
  };
  if (source.extras) mergeExtras(podSpec, source.extras);
  return { metadata: { labels: labels(version) }, spec: podSpec };
}

/**
 * The aws-node ServiceAccount, with the IRSA annotation `eks.amazonaws.com/role-arn` when the install has a role.
 *
 * @example
 * awsNodeServiceAccount(cluster, { version: 'v1.15.1', serviceAccountRoleArn: 'arn:aws:iam::111122223333:role/Cni' }).metadata.annotations
 */
export function awsNodeServiceAccount(cluster: ManifestCluster, source: SelfManaged): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: 'aws-node',
      namespace: 'kube-system',
      uid: uuidOf(`sa/${cluster.uid}`),
      resourceVersion: String(Math.max(1, Math.floor(cluster.createdAt / 1000))),
      creationTimestamp: isoSeconds(cluster.createdAt),
      labels: labels(source.version),
      ...(source.serviceAccountRoleArn ? { annotations: { 'eks.amazonaws.com/role-arn': source.serviceAccountRoleArn } } : {}),
    },
  };
}

