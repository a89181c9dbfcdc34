import { z } from 'zod';
import { InputValidationError } from '../errors.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import {
  AccountId,
  ClusterName,
  EksBuildVersion,
  KubernetesVersion,
  PodIdentityAssociation,
  Region,
  RoleArn,
  Tags,
  VersionString,
} from './names.js';

/** What a simulated fault does (docs/simulator.md#the-fleet-file). */
export const FaultEffect = z.enum([
  'UPDATE_FAILED', // the update ends Failed with errors[], the add-on UPDATE_FAILED
  'DEGRADED', // the update succeeds, the add-on ends DEGRADED with a health issue
  'STUCK', // the update stays InProgress
  'THROTTLE', // `count` × 429 ThrottlingException
  'SERVER_ERROR', // `count` × 500 ServerException
  'SLOW', // the update takes `durationSeconds`
  'CLUSTER_UPDATING', // the control plane is UPDATING for `durationSeconds` from the start
  'CLUSTER_DELETED', // the cluster vanishes after `afterUpdates` add-on updates were accepted
  // The Kubernetes side of an update, while EKS keeps reporting the add-on ACTIVE with no health issue:
  'POD_NOT_READY', // the new aws-node pod on `nodeCount` nodes never becomes Ready (stuck at IPAM connectivity, restarting)
  'NODE_AGENT_CRASH_LOOP', // aws-eks-nodeagent crash-loops in the new pods on the nodes `nodeSelector` picks
  'IMAGE_PULL_BACKOFF', // the new image cannot be pulled on the nodes picked (ErrImagePull, then ImagePullBackOff)
  'NODE_JOIN', // `nodeCount` nodes join `afterSeconds` into the update; their pods start at the new revision
  // The cluster's Kubernetes API, on every request while the fault has firings left:
  'KUBERNETES_FORBIDDEN', // 403: the caller's access entry does not allow the reads
  'KUBERNETES_UNAUTHORIZED', // 401: the caller has no access entry
  'KUBERNETES_UNREACHABLE', // the connection is dropped without an answer (private endpoint, network path down)
  // The service the cluster runs breaking after its vpc-cni update, as a CloudWatch alarm of the fleet file sees it:
  'ALARM', // `alarm` goes to ALARM `afterSeconds` after the update is accepted, for `durationSeconds` (absent: until set OK)
]);
export type FaultEffect = z.infer<typeof FaultEffect>;

export const EKS_OPERATIONS = [
  'ListClusters',
  'DescribeCluster',
  'ListAddons',
  'DescribeAddon',
  'CreateAddon',
  'UpdateAddon',
  'DeleteAddon',
  'DescribeUpdate',
  'ListUpdates',
  'DescribeAddonVersions',
  'DescribeAddonConfiguration',
  'DescribePodIdentityAssociation',
] as const;
export const EksOperation = z.enum(EKS_OPERATIONS);
export type EksOperation = z.infer<typeof EksOperation>;

/** Fault effects that act on the aws-node pods of the revision an update or create brings. */
export const POD_FAULTS: ReadonlySet<FaultEffect> = new Set(['POD_NOT_READY', 'NODE_AGENT_CRASH_LOOP', 'IMAGE_PULL_BACKOFF']);

/** Fault effects on a cluster's Kubernetes API. */
export const KUBERNETES_ACCESS_FAULTS: ReadonlySet<FaultEffect> = new Set(['KUBERNETES_FORBIDDEN', 'KUBERNETES_UNAUTHORIZED', 'KUBERNETES_UNREACHABLE']);

// A Kubernetes label key (an optional DNS-subdomain prefix and a name) and value, as the API server validates them.
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const Labels = z.record(z.string().regex(LABEL_KEY, 'must be a Kubernetes label key such as nvidia.com/gpu.present'), z.string().regex(LABEL_VALUE, 'must be a Kubernetes label value'));

export const Fault = z.strictObject({
  effect: FaultEffect,
  /** Glob on the version an update moves to (`v1.15.*`); absent: every update. */
  toVersion: z
    .string()
    .regex(/^v[\d.*]+(-eksbuild\.[\d*]+)?\*?$/, 'must be a version glob such as v1.15.*')
    .optional(),
  /** UPDATE_FAILED: the update's ErrorCode; DEGRADED: the health issue's AddonIssueCode. */
  errorCode: z.string().min(1).max(64).optional(),
  errorMessage: z.string().min(1).max(1024).optional(),
  /** How many times the fault fires; THROTTLE and SERVER_ERROR default to 3, the others to every match. */
  count: z.number().int().min(1).max(10_000).optional(),
  /** THROTTLE/SERVER_ERROR: only this operation. */
  operation: EksOperation.optional(),
  /** SLOW: the update's duration; CLUSTER_UPDATING: how long the control plane stays UPDATING. */
  durationSeconds: z.number().int().min(1).max(86_400).optional(),
  /** CLUSTER_DELETED: vanish once this many add-on updates or creates were accepted (default 1). */
  afterUpdates: z.number().int().min(0).max(1000).optional(),
  /**
   * Pod faults: the nodes affected, as an equality label selector (`eks.amazonaws.com/nodegroup=gpu`,
   * `k1=v1,k2!=v2`); absent: any node.
   */
  nodeSelector: z
    .string()
    .max(1024)
    .regex(/^\s*!?[^\s,=!]+\s*((==?|!=)\s*[^\s,=!]*)?\s*(,\s*!?[^\s,=!]+\s*((==?|!=)\s*[^\s,=!]*)?\s*)*$/, 'must be a label selector such as eks.amazonaws.com/nodegroup=gpu')
    .optional(),
  /**
   * Pod faults: how many of the selected nodes (the first in node order); default every selected node with a
   * nodeSelector, else 1. NODE_JOIN: how many nodes join (default 1).
   */
  nodeCount: z.number().int().min(1).max(5000).optional(),
  /** NODE_JOIN: seconds after the update was accepted (default 0: at once). */
  afterSeconds: z.number().int().min(0).max(86_400).optional(),
  /** NODE_JOIN: the node group the new nodes belong to (default the cluster's first). */
  nodeGroup: z.string().min(1).max(63).optional(),
  /** ALARM: the name of an alarm of the fleet file's `alarms`. */
  alarm: z.string().min(1).max(255).optional(),
})
  .superRefine((fault, ctx) => {
    // Fields that only mean something for some effects: a typo'd scenario should not pass silently.
    const only = (field: 'nodeSelector' | 'nodeCount' | 'afterSeconds' | 'nodeGroup' | 'alarm', effects: readonly FaultEffect[]): void => {
      if (fault[field] !== undefined && !effects.includes(fault.effect))
        ctx.addIssue({ code: 'custom', path: [field], message: `applies only to ${effects.join(', ')}` });
    };
    only('nodeSelector', [...POD_FAULTS]);
    only('nodeCount', [...POD_FAULTS, 'NODE_JOIN']);
    only('afterSeconds', ['NODE_JOIN', 'ALARM']);
    only('nodeGroup', ['NODE_JOIN']);
    only('alarm', ['ALARM']);
    if (fault.effect === 'ALARM' && fault.alarm === undefined) ctx.addIssue({ code: 'custom', path: ['alarm'], message: 'names the alarm the fault raises (one of the fleet file\'s alarms)' });
  });
export type Fault = z.infer<typeof Fault>;

/** A node group of a cluster's EC2 nodes (a managed node group): what the Kubernetes API's nodes carry. */
export const NodeGroup = z.strictObject({
  /** The `eks.amazonaws.com/nodegroup` label. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'must be a node group name such as gpu'),
  count: z.number().int().min(0).max(5000),
  /** The `node.kubernetes.io/instance-type` label; Graviton types (m7g, c6gn, …) are arm64. */
  instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as m5.large').default('m5.large'),
  capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
  /** Extra node labels, e.g. `{"nvidia.com/gpu.present": "true"}`. */
  labels: Labels.default({}),
  taints: z
    .array(z.strictObject({ key: z.string().regex(LABEL_KEY, 'must be a taint key'), value: z.string().regex(LABEL_VALUE).optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']) }))
    .max(20)
    .default([]),
});
export type NodeGroup = z.infer<typeof NodeGroup>;

export const ManagedAddon = z.strictObject({
  version: EksBuildVersion,
  /** JSON or YAML text, stored and returned verbatim as EKS does (docs/vpc-cni-settings.md#configurationvalues). */
  configurationValues: z.string().max(65_536).optional(),
  serviceAccountRoleArn: RoleArn.optional(),
  podIdentityAssociations: z.array(PodIdentityAssociation).max(10).optional(),
  /** Start the add-on mid-update (someone else's update), for tests. */
  status: z.enum(['ACTIVE', 'UPDATING', 'DEGRADED', 'UPDATE_FAILED', 'CREATE_FAILED']).optional(),
});
export type ManagedAddon = z.infer<typeof ManagedAddon>;

// Kubernetes accepts env var names of [-._a-zA-Z][-._a-zA-Z0-9]* (a C identifier plus "-" and "."); aws-node's are
// all AWS_VPC_*/ENABLE_* style (docs/vpc-cni-settings.md#aws-node-environment-variables).
const EnvName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, 'must be an environment variable name such as AWS_VPC_K8S_CNI_EXTERNALSNAT');

/** The self-managed `aws-node` DaemonSet (no managed add-on). */
export const SelfManaged = z.strictObject({
  /** The image tag: plain upstream (`v1.11.4`) or an EKS build. */
  version: VersionString,
  /** Env of the `aws-node` container that differs from the manifest's. */
  env: z.record(EnvName, z.string().max(4096)).optional(),
  /** Env of the `aws-vpc-cni-init` init container. */
  initEnv: z.record(EnvName, z.string().max(4096)).optional(),
  /** The ServiceAccount annotation `eks.amazonaws.com/role-arn` (IRSA). */
  serviceAccountRoleArn: RoleArn.optional(),
  resources: z
    .strictObject({
      requests: z.strictObject({ cpu: z.string().optional(), memory: z.string().optional() }).optional(),
      limits: z.strictObject({ cpu: z.string().optional(), memory: z.string().optional() }).optional(),
    })
    .optional(),
  tolerations: z.array(z.record(z.string(), z.unknown())).max(50).optional(),
  /** Extra DaemonSet settings with no add-on configuration key (e.g. a hostPath volume), to test refusal. */
  extras: z.record(z.string(), z.unknown()).optional(),
});
export type SelfManaged = z.infer<typeof SelfManaged>;

export const FleetCluster = z
  .strictObject({
    name: ClusterName,
    region: Region.default('us-east-1'),
    accountId: AccountId.default('111122223333'),
    kubernetesVersion: KubernetesVersion,
    status: z.enum(['CREATING', 'ACTIVE', 'DELETING', 'FAILED', 'UPDATING', 'PENDING']).default('ACTIVE'),
    tags: Tags.default({}),
    platformVersion: z.string().regex(/^eks\.\d+$/).optional(),
    /** `ec2` nodes (default), `fargate` only, or EKS Auto Mode (`auto`). */
    compute: z.enum(['ec2', 'fargate', 'auto']).default('ec2'),
    /**
     * Node count: an update rolls the aws-node DaemonSet 10% at a time (docs/simulator.md). Default 3, or the sum of
     * `nodeGroups`; with both, they must agree.
     */
    nodes: z.number().int().min(0).max(5000).optional(),
    /** The EC2 nodes by group; default one group "default" of `nodes` m5.large nodes. */
    nodeGroups: z.array(NodeGroup).min(1).max(30).optional(),
    addon: ManagedAddon.optional(),
    selfManaged: SelfManaged.optional(),
    faults: z.array(Fault).max(50).default([]),
  })
  .refine((c) => !(c.addon && c.selfManaged), { message: 'a cluster has either "addon" or "selfManaged", not both', path: ['addon'] })
  .superRefine((c, ctx) => {
    const groups = c.nodeGroups ?? [];
    const sum = groups.reduce((total, g) => total + g.count, 0);
    if (c.nodeGroups && c.nodes !== undefined && c.nodes !== sum)
      ctx.addIssue({ code: 'custom', path: ['nodes'], message: `is ${c.nodes} but the node groups have ${sum} nodes` });
    if (sum > 5000) ctx.addIssue({ code: 'custom', path: ['nodeGroups'], message: `have ${sum} nodes, more than 5000` });
    const seen = new Set<string>();
    groups.forEach((g, i) => {
      if (seen.has(g.name)) ctx.addIssue({ code: 'custom', path: ['nodeGroups', i, 'name'], message: `duplicates node group ${g.name}` });
      seen.add(g.name);
    });
    c.faults.forEach((f, i) => {
      if (f.nodeGroup !== undefined && !groups.some((g) => g.name === f.nodeGroup) && !(groups.length === 0 && f.nodeGroup === 'default'))
        ctx.addIssue({ code: 'custom', path: ['faults', i, 'nodeGroup'], message: `names no node group of this cluster` });
    });
  })
  .transform((c) => ({ ...c, nodes: c.nodeGroups ? c.nodeGroups.reduce((total, g) => total + g.count, 0) : (c.nodes ?? 3) }));
export type FleetCluster = z.infer<typeof FleetCluster>;

/** Simulator behaviour switches (what real EKS does where evidence is unsure: docs/eks-behaviour.md#open-questions). */
export const SimulatorSettings = z.strictObject({
  /** Reject vpc-cni moves of more than one minor (docs/eks-behaviour.md#the-one-minor-rule). */
  oneMinorRule: z.boolean().default(true),
  /** UpdateAddon without serviceAccountRoleArn drops the role (docs/eks-behaviour.md#omitted-role). */
  omittedRoleClears: z.boolean().default(true),
  /** Base virtual seconds of an add-on update or create. */
  updateSeconds: z.number().int().min(1).max(86_400).default(60),
  /** Extra virtual seconds per node (a rolling DaemonSet update). */
  secondsPerNode: z.number().min(0).max(600).default(2),
  /**
   * Typical relative variation of an update's duration (0.2: a one-sigma hop takes 20% longer, or 1.2× shorter),
   * drawn per cluster and hop from a lognormal with a long right tail; 0 (default) keeps every duration exact.
   */
  durationJitter: z.number().min(0).max(1).default(0),
  /** Seed of that variation: the same seed gives the same durations, whatever order requests come in. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  /** Virtual seconds from deleting an aws-node pod to its replacement being Ready, when no other pod starts with it. */
  podReadySeconds: z.number().min(0).max(3600).default(5),
  /** Extra seconds for each other pod starting at the same time (they share the account's EC2 API rate and ECR pulls). */
  concurrentStartSeconds: z.number().min(0).max(600).default(2.5),
  /**
   * EKS reports an update Successful/ACTIVE only once the DaemonSet rollout would be complete (false, default:
   * after its own duration, while a large cluster's pods may still be rolling).
   */
  activeAwaitsRollout: z.boolean().default(false),
});
export type SimulatorSettings = z.infer<typeof SimulatorSettings>;

/** The CloudWatch alarm states DescribeAlarms reports. */
export const AlarmState = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
export type AlarmState = z.infer<typeof AlarmState>;

/**
 * A CloudWatch metric alarm the simulator serves (DescribeAlarms, SetAlarmState): its state at the start and the
 * changes a scenario makes at simulated times (docs/simulator.md, "CloudWatch alarms").
 */
export const SimAlarm = z.strictObject({
  name: z.string().min(1).max(255),
  region: Region.default('us-east-1'),
  accountId: AccountId.default('111122223333'),
  state: AlarmState.default('OK'),
  reason: z.string().max(1023).optional(),
  /** Changes of state, each `atSeconds` after the simulator starts. */
  changes: z
    .array(z.strictObject({ atSeconds: z.number().int().min(0).max(31_536_000), state: AlarmState, reason: z.string().max(1023).optional() }))
    .max(100)
    .default([]),
});
export type SimAlarm = z.infer<typeof SimAlarm>;

export const FleetFile = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().max(4096).optional(),
    // Every setting's own default: one place says what they are.
    settings: SimulatorSettings.default(() => SimulatorSettings.parse({})),
    clusters: z.array(FleetCluster).min(1).max(10_000),
    /** CloudWatch alarms a run may name (options.alarms); faults of effect ALARM raise them. */
    alarms: z.array(SimAlarm).max(100).default([]),
  })
  .superRefine((fleet, ctx) => {
    const seen = new Map<string, number>();
    fleet.clusters.forEach((c, i) => {
      const key = `${c.accountId}/${c.region}/${c.name}`;
      const first = seen.get(key);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicates clusters[${first}] (same account, region and name)` });
      else seen.set(key, i);
    });
    const alarms = new Map<string, number>();
    fleet.alarms.forEach((a, i) => {
      const key = `${a.accountId}/${a.region}/${a.name}`;
      const first = alarms.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['alarms', i, 'name'], message: `duplicates alarms[${first}] (same account, region and name)` });
      else alarms.set(key, i);
    });
    // An ALARM fault raises every alarm of that name (the services a cluster runs are watched by alarms anywhere).
    fleet.clusters.forEach((c, i) =>
      c.faults.forEach((f, j) => {
        if (f.effect === 'ALARM' && !fleet.alarms.some((a) => a.name === f.alarm))
          ctx.addIssue({ code: 'custom', path: ['clusters', i, 'faults', j, 'alarm'], message: `names no alarm of the fleet file's "alarms"` });
      }),
    );
  });
export type FleetFile = z.infer<typeof FleetFile>;

/**
 * Parses a fleet file's text (JSON). Every problem is an InputValidationError naming the field, e.g.
 * `clusters[2].addon.version: must be an EKS add-on build such as v1.12.6-eksbuild.2`.
 *
 * @example
 * const fleet = parseFleetFile(readFileSync('examples/fleet.json', 'utf8'));
 */
export function parseFleetFile(text: string): FleetFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputValidationError('(root)', `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseOrThrow(FleetFile, raw);
}
