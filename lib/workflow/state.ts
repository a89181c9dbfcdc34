import { z } from 'zod';
import { UpgradeOptions } from '../schemas/upgrade-options.js';
import { RollbackRequest } from '../schemas/rollback-request.js';

/**
 * The JSON that flows between the cluster workflow's states (UpgradeCluster in statemachines/workflows.asl.yaml). Each Task
 * receives the whole state and the ASL puts its result at one ResultPath, so every field below is written by
 * exactly one step: `ValidateInput` → everything but the rest, `AcquireLock` → lock, `TakeSnapshot` → snapshot,
 * `PlanUpgrade` → plan, `ApplyHop`/`PollHop` → hop (the hop's place in the plan and, once PollHop recorded it
 * done, the next one: `hop.next`), `VerifyUpgrade` → result.
 * Schemas are not strict: a step reads the fields it needs and ignores the others.
 */
export const ClusterIdentity = z.object({
  name: z.string(),
  region: z.string(),
  accountId: z.string(),
  roleArn: z.string().optional(),
  /** `accountId/region/name`: the key of the cluster's lock and history. */
  key: z.string(),
});
export type ClusterIdentity = z.infer<typeof ClusterIdentity>;

/** A custom setting carried into configurationValues (lib/migration/translate-settings.ts). */
export const CarriedSettingState = z.object({ key: z.string(), value: z.json(), from: z.string() });
/** A setting the managed add-on cannot take over. */
export const UntranslatableSettingState = z.object({ field: z.string(), reason: z.string() });

/**
 * A self-managed install as TakeSnapshot found it (docs/self-managed.md). The manifests themselves are only in the
 * DynamoDB snapshot item: the state that flows between tasks keeps the translation, not kilobytes of YAML.
 */
export const SelfManagedState = z.object({
  image: z.string(),
  carried: z.array(CarriedSettingState),
  untranslatable: z.array(UntranslatableSettingState),
});
export type SelfManagedState = z.infer<typeof SelfManagedState>;

/**
 * One pod identity association as UpdateAddon/CreateAddon take it (AddonPodIdentityAssociations:
 * docs/eks-behaviour.md#the-addon-object).
 */
export const PodIdentityPair = z.object({ serviceAccount: z.string(), roleArn: z.string() });
export type PodIdentityPair = z.infer<typeof PodIdentityPair>;

/**
 * The aws-node pre-flight as TakeSnapshot left it for the later steps: whether it looked, the restart counts the gate
 * compares with (non-zero only; the full per-pod baseline is in the DynamoDB snapshot), and, best-effort, why it
 * could not look.
 */
export const AwsNodeBaselineState = z.object({
  checked: z.boolean(),
  /** Nodes the DaemonSet wanted a pod on. */
  desired: z.number().int(),
  /** `<pod uid>/<container>` → restartCount, for containers that had restarted. */
  restarts: z.record(z.string(), z.number().int()),
  warning: z.string().optional(),
});
export type AwsNodeBaselineState = z.infer<typeof AwsNodeBaselineState>;

/** Where the cluster's Kubernetes API is (DescribeCluster), kept so the gate need not describe the cluster each hop. */
export const KubernetesApiState = z.object({ endpoint: z.string(), certificateAuthority: z.string().nullable() });

export const Snapshot = z.object({
  clusterArn: z.string(),
  kubernetesVersion: z.string(),
  platformVersion: z.string().nullable(),
  install: z.enum(['managed', 'self-managed']),
  addonVersion: z.string(),
  addonStatus: z.string().nullable(),
  configurationValues: z.string().nullable(),
  serviceAccountRoleArn: z.string().nullable(),
  /** Association ARNs owned by the add-on (DescribeAddon: docs/eks-behaviour.md#the-addon-object). */
  podIdentityAssociations: z.array(z.string()),
  /**
   * What those associations are (DescribePodIdentityAssociation), in the order of the ARNs: ApplyHop re-sends
   * them with every UpdateAddon (docs/eks-behaviour.md#pod-identity-associations). Default [] for states written before
   * the field existed.
   */
  podIdentityPairs: z.array(PodIdentityPair).default([]),
  takenAt: z.string(),
  /** Set when `install` is `self-managed`. */
  selfManaged: SelfManagedState.optional(),
  /** The pre-flight; absent when options.kubernetesAccess is `off`. */
  awsNode: AwsNodeBaselineState.optional(),
  kubernetesApi: KubernetesApiState.optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

/**
 * TakeSnapshot's answer while a rollout control holds the cluster before its first change (lib/controls/start-gate.ts):
 * the hold, and the seconds HoldStart waits before AcquireLock renews the lock and TakeSnapshot looks again.
 */
export const StartHoldState = z.object({
  hold: z.object({
    kind: z.enum(['pause', 'alarm', 'window']),
    reason: z.string(),
    since: z.string(),
    until: z.string().nullable(),
    checks: z.number().int(),
  }),
  waitSeconds: z.number().int().min(1),
});
export type StartHoldState = z.infer<typeof StartHoldState>;

/** A `$.snapshot` that is a hold reads as no snapshot yet: the steps after TakeSnapshot never see one. */
const snapshotUnlessHold = (value: unknown): unknown => (typeof value === 'object' && value !== null && 'hold' in value ? undefined : value);

export const PlannedHop = z.object({
  index: z.number().int(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(['create', 'minor', 'patch']),
});
export type PlannedHop = z.infer<typeof PlannedHop>;

export const PlanState = z.object({
  from: z.string(),
  target: z.string().nullable(),
  kubernetesVersion: z.string(),
  hops: z.array(PlannedHop),
  hopCount: z.number().int(),
  /** 0-based position of the first hop to apply (later hops follow from `hop.next`, set by the PollHop that records each). */
  nextHop: z.number().int(),
  notes: z.array(z.string()),
  /**
   * A self-managed install's migration: what CreateAddon sends (checked against every build's schema on the path)
   * and what stays behind. VerifyUpgrade expects these settings, not the snapshot's (there was no add-on).
   */
  migration: z
    .object({
      configurationValues: z.string().nullable(),
      serviceAccountRoleArn: z.string().nullable(),
      carried: z.array(CarriedSettingState),
      untranslatable: z.array(UntranslatableSettingState),
    })
    .optional(),
});
export type PlanState = z.infer<typeof PlanState>;

/**
 * The rollout gate within a hop (PollHop): how many reads it made, what it waits for, the restart counts it saw
 * (to tell a restart from a crash loop at the next read), and how the hop passed.
 */
export const HopRolloutState = z.object({
  reads: z.number().int(),
  /** `<pod uid>/<container>` → restartCount of containers that restarted during the hop. */
  restarts: z.record(z.string(), z.number().int()),
  /** While ROLLING: what is still moving (a few lines, for the console). */
  waiting: z.array(z.string()),
  /** Once done: HEALTHY, UNCHECKED (best-effort, the API could not be read) or OFF. */
  verdict: z.enum(['HEALTHY', 'UNCHECKED', 'OFF']).optional(),
  counts: z.object({ desired: z.number().int(), updated: z.number().int(), available: z.number().int(), pods: z.number().int().nullable() }).optional(),
  notes: z.array(z.string()).optional(),
  warning: z.string().optional(),
});
export type HopRolloutState = z.infer<typeof HopRolloutState>;

export const HopState = z.object({
  index: z.number().int(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(['create', 'minor', 'patch']),
  /** The EKS update id; null for a create (EKS has no Update object for CreateAddon) or a hop already done. */
  updateId: z.string().nullable(),
  startedAt: z.string(),
  polls: z.number().int(),
  status: z.enum(['IN_PROGRESS', 'ROLLING', 'SUCCEEDED']),
  /** Seconds the next Wait lasts. */
  waitSeconds: z.number().int().min(0),
  /** When the hop times out (ISO). */
  deadline: z.string(),
  /** Set once EKS reports the hop done: how long EKS took. */
  durationSeconds: z.number().nullable(),
  /**
   * Set when the gate passes: seconds from the hop's start until it could have passed (the last aws-node container
   * start plus the soak, or EKS's duration if later): the first wait of this cluster's next hop.
   */
  settledSeconds: z.number().nullable().default(null),
  /**
   * EKS's durations (seconds) of this cluster's earlier hops in this run: what the waits of this hop are estimated
   * from (lib/steps/hop-wait.ts). Absent in a state written before it was carried: the policy then starts afresh.
   */
  earlierSeconds: z.array(z.number()).optional(),
  /**
   * Set by the PollHop whose own DescribeAddon found the hop done — ACTIVE, no health issue, at the hop's version,
   * the kept settings unchanged — and whose gate passed in the same invocation. After the last hop VerifyUpgrade
   * takes that read instead of making the same one again a state later (lib/steps/verify-upgrade.ts).
   */
  addonChecked: z.boolean().optional(),
  rollout: HopRolloutState.optional(),
  /**
   * When the cluster's lock expires (epoch seconds), as AcquireLock or the last ApplyHop that renewed it left it:
   * ApplyHop renews only when less than a hop's timeout (plus the lock's margin) is left.
   */
  lockExpiresAt: z.number().int().optional(),
  /** Where this hop is in the plan (plan.hops[position]); set by ApplyHop. */
  position: z.number().int().optional(),
  /**
   * Set by the PollHop that found the hop done and recorded it: the plan position of the next hop (hopCount after
   * the last). The IsHopDone Choice goes on to ApplyHop or VerifyUpgrade from it.
   */
  next: z.number().int().optional(),
});
export type HopState = z.infer<typeof HopState>;

export const ClusterState = z.object({
  runId: z.string(),
  executionId: z.string(),
  trigger: z.string(),
  cluster: ClusterIdentity,
  /**
   * The add-on's name (the input's `addon`): each step resolves it to its spec (lib/addon-spec.ts). Only the
   * name rides in the state. Absent in a state written before the field existed, which upgraded vpc-cni.
   */
  addon: z.string().optional(),
  options: UpgradeOptions,
  rollback: RollbackRequest.optional(),
  snapshot: z.preprocess(snapshotUnlessHold, Snapshot.optional()),
  plan: PlanState.optional(),
  hop: HopState.optional(),
  /** AcquireLock's result: the lock's owner and expiry (epoch seconds). */
  lock: z.object({ owner: z.string(), expiresAt: z.number() }).optional(),
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type ClusterState = z.infer<typeof ClusterState>;

/** What a cluster's execution ends with (its output), and what the rehearsal report lists per cluster. */
export const ClusterOutcome = { UPGRADED: 'UPGRADED', UNCHANGED: 'UNCHANGED', PLANNED: 'PLANNED', FAILED: 'FAILED', BLOCKED: 'BLOCKED', SKIPPED: 'SKIPPED' } as const;
export type ClusterOutcome = (typeof ClusterOutcome)[keyof typeof ClusterOutcome];

/** `accountId/region/name`. */
export const clusterKey = (c: { accountId: string; region: string; name: string }): string => `${c.accountId}/${c.region}/${c.name}`;
