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

/** What a simulated fault does (README, "Fleet file"). */
export const FaultEffect = z.enum([
  'UPDATE_FAILED', // the update ends Failed with errors[], the add-on UPDATE_FAILED
  'DEGRADED', // the update succeeds, the add-on ends DEGRADED with a health issue
  'STUCK', // the update stays InProgress
  'THROTTLE', // `count` × 429 ThrottlingException
  'SERVER_ERROR', // `count` × 500 ServerException
  'SLOW', // the update takes `durationSeconds`
  'CLUSTER_UPDATING', // the control plane is UPDATING for `durationSeconds` from the start
  'CLUSTER_DELETED', // the cluster vanishes after `afterUpdates` add-on updates were accepted
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
});
export type Fault = z.infer<typeof Fault>;

export const ManagedAddon = z.strictObject({
  version: EksBuildVersion,
  /** JSON or YAML text, stored and returned verbatim as EKS does (facts §11). */
  configurationValues: z.string().max(65_536).optional(),
  serviceAccountRoleArn: RoleArn.optional(),
  podIdentityAssociations: z.array(PodIdentityAssociation).max(10).optional(),
  /** Start the add-on mid-update (someone else's update), for tests. */
  status: z.enum(['ACTIVE', 'UPDATING', 'DEGRADED', 'UPDATE_FAILED', 'CREATE_FAILED']).optional(),
});
export type ManagedAddon = z.infer<typeof ManagedAddon>;

// Kubernetes accepts env var names of [-._a-zA-Z][-._a-zA-Z0-9]* (a C identifier plus "-" and "."); aws-node's are
// all AWS_VPC_*/ENABLE_* style (facts §10).
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
    /** Node count: an update rolls the aws-node DaemonSet 10% at a time (facts §7.7). */
    nodes: z.number().int().min(0).max(5000).default(3),
    addon: ManagedAddon.optional(),
    selfManaged: SelfManaged.optional(),
    faults: z.array(Fault).max(50).default([]),
  })
  .refine((c) => !(c.addon && c.selfManaged), { message: 'a cluster has either "addon" or "selfManaged", not both', path: ['addon'] });
export type FleetCluster = z.infer<typeof FleetCluster>;

/** Simulator behaviour switches (facts §7: what real EKS does where evidence is unsure). */
export const SimulatorSettings = z.strictObject({
  /** Reject vpc-cni moves of more than one minor (facts §7.1). */
  oneMinorRule: z.boolean().default(true),
  /** UpdateAddon without serviceAccountRoleArn drops the role (facts §7.4). */
  omittedRoleClears: z.boolean().default(true),
  /** Base virtual seconds of an add-on update or create. */
  updateSeconds: z.number().int().min(1).max(86_400).default(60),
  /** Extra virtual seconds per node (a rolling DaemonSet update). */
  secondsPerNode: z.number().min(0).max(600).default(2),
});
export type SimulatorSettings = z.infer<typeof SimulatorSettings>;

export const FleetFile = z
  .strictObject({
    $schema: z.string().optional(),
    description: z.string().max(4096).optional(),
    settings: SimulatorSettings.default({ oneMinorRule: true, omittedRoleClears: true, updateSeconds: 60, secondsPerNode: 2 }),
    clusters: z.array(FleetCluster).min(1).max(10_000),
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
