import { validateConfigurationValues } from '../addon/configuration-schema.js';
import type { CniFleetError } from '../errors.js';
import { AddonUnhealthyError, AwsNodeUnhealthyError, ClusterSkippedError, ConfigurationRejectedError, isCniFleetError, PlanBlockedError, UntranslatableSettingsError } from '../errors.js';
import type { FittedTranslation } from '../migration/fit-to-schema.js';
import type { NodeFault, RolloutVerdict } from '../rollout/rollout-verdict.js';
import { fitToSchemas } from '../migration/fit-to-schema.js';
import { migrationNotes } from '../migration/plan-migration.js';
import type { Translation } from '../migration/translate-settings.js';
import type { CompatibleBuild } from '../versions/compatible-build.js';
import { planPath } from '../versions/plan-path.js';
import type { VersionPolicy } from '../versions/version-policy.js';
import type { TargetSpec } from '../versions/resolve-target.js';
import type { UpgradePlan } from '../versions/upgrade-plan.js';
import { PlanBlockCode } from '../versions/upgrade-plan.js';
import type { SchemaFor } from './cluster-facts.js';

/*
 * Which clusters cni-fleet leaves alone, and why: the rules `cni-fleet plan` applies to a whole fleet and the
 * workflow applies step by step (TakeSnapshot: the control plane, the add-on or the self-managed DaemonSet;
 * DiscoverLane: the opt-out tag; PlanUpgrade: the path and the settings). One set of functions serves both, so
 * a plan and a dry run of the workflow reach the same outcome for every cluster.
 */

/** What a dry run records for a cluster, and what `cni-fleet plan` says a run would do. */
export type PlannedOutcome = 'PLANNED' | 'UNCHANGED' | 'BLOCKED' | 'SKIPPED' | 'FAILED';

/** Every rule that leaves a cluster alone before any change. */
export const RefusalCode = {
  ...PlanBlockCode,
  /** The control plane is DELETING, FAILED or in another state that will not become ACTIVE by waiting. */
  CLUSTER_NOT_ACTIVE: 'CLUSTER_NOT_ACTIVE',
  /** EKS Auto Mode runs the VPC CNI itself: there is no add-on to manage. */
  AUTO_MODE: 'AUTO_MODE',
  /** The cluster carries the fleet's opt-out tag. */
  OPTED_OUT: 'OPTED_OUT',
  /** Neither a managed add-on nor an aws-node DaemonSet: nothing to upgrade or migrate. */
  NO_VPC_CNI: 'NO_VPC_CNI',
  /** A self-managed install on a cluster whose every node is a Fargate node. */
  FARGATE_ONLY: 'FARGATE_ONLY',
  /** The installed version is not a vpc-cni version (an add-on version, or the aws-node image tag). */
  UNREADABLE_VERSION: 'UNREADABLE_VERSION',
  /** The add-on is already UPDATE_FAILED, DEGRADED, … or reports health issues: never upgraded on top. */
  ADDON_BROKEN: 'ADDON_BROKEN',
  /** Settings of a self-managed DaemonSet that the managed add-on cannot take over. */
  UNTRANSLATABLE_SETTINGS: 'UNTRANSLATABLE_SETTINGS',
  /** The add-on's configurationValues are refused by the schema of a build on the path. */
  CONFIGURATION_REJECTED: 'CONFIGURATION_REJECTED',
  /** The aws-node pre-flight: a container crash-looping or unable to pull, a pod not Ready, before any change. */
  AWS_NODE_UNHEALTHY: 'AWS_NODE_UNHEALTHY',
  /** The maintenance-window tag cannot be read as a window: the cluster is left alone rather than guessed at. */
  WINDOW_TAG_UNREADABLE: 'WINDOW_TAG_UNREADABLE',
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];

/** A cluster left alone before any change: the outcome, the rule, and a sentence for people. */
export interface Refusal {
  readonly outcome: 'BLOCKED' | 'SKIPPED' | 'FAILED';
  readonly code: RefusalCode;
  readonly reason: string;
  /** ADDON_BROKEN: the add-on's status and issues. */
  readonly addon?: { readonly status: string; readonly issues: readonly { readonly code: string; readonly message: string }[] };
  /** CONFIGURATION_REJECTED: the build whose schema refused the configuration, and its problems. */
  readonly rejected?: { readonly version: string; readonly problems: readonly string[] };
  /** UNTRANSLATABLE_SETTINGS: each setting and why. */
  readonly settings?: readonly string[];
  /** AWS_NODE_UNHEALTHY: the nodes, pods and containers at fault. */
  readonly faults?: readonly NodeFault[];
}

/** Go on, wait (the state will settle: the step is retried), or leave the cluster alone. */
export type Gate = { readonly kind: 'go' } | { readonly kind: 'wait'; readonly status: string } | ({ readonly kind: 'refuse' } & Refusal);

const GO: Gate = { kind: 'go' };
const skipped = (code: RefusalCode, reason: string): Gate & Refusal => ({ kind: 'refuse', outcome: 'SKIPPED', code, reason });

// The control plane is busy but will settle: the workflow waits for it (bounded).
const TRANSIENT_CLUSTER = new Set(['CREATING', 'UPDATING', 'PENDING']);
// The add-on is mid-change by someone else: wait for it, then snapshot what it settled on.
const BUSY_ADDON = new Set(['CREATING', 'UPDATING', 'DELETING']);
// An add-on that is already broken is not upgraded on top: an operator looks first.
const BROKEN_ADDON = new Set(['CREATE_FAILED', 'UPDATE_FAILED', 'DEGRADED', 'DELETE_FAILED']);

/**
 * The control plane, as DescribeCluster shows it: ACTIVE goes on, CREATING/UPDATING/PENDING wait, any other
 * status is SKIPPED, and so is an EKS Auto Mode cluster (Auto Mode runs pod networking itself: "With Amazon EKS
 * Auto Mode, you don't need to install or upgrade networking add-ons", docs/cluster-outcomes.md).
 *
 * @example
 * controlPlaneGate({ status: 'ACTIVE', autoMode: true }) // { kind: 'refuse', outcome: 'SKIPPED', code: 'AUTO_MODE', … }
 */
export function controlPlaneGate(cluster: { readonly status?: string | undefined; readonly autoMode?: boolean | undefined }): Gate {
  const status = cluster.status ?? 'ACTIVE';
  if (TRANSIENT_CLUSTER.has(status)) return { kind: 'wait', status };
  if (status !== 'ACTIVE') return skipped(RefusalCode.CLUSTER_NOT_ACTIVE, `the control plane is ${status}`);
  if (cluster.autoMode) return skipped(RefusalCode.AUTO_MODE, 'EKS Auto Mode manages the VPC CNI on this cluster');
  return GO;
}

/**
 * The fleet's opt-out: a cluster whose `skipTag` has the value "true" is SKIPPED.
 *
 * @example
 * optOutRefusal({ 'cni-fleet/skip': 'true' }, 'cni-fleet/skip') // { outcome: 'SKIPPED', code: 'OPTED_OUT', reason: 'opted out by tag cni-fleet/skip=true' }
 */
export function optOutRefusal(tags: Readonly<Record<string, string>> | undefined, skipTag: string): Refusal | undefined {
  return tags?.[skipTag] === 'true' ? { outcome: 'SKIPPED', code: RefusalCode.OPTED_OUT, reason: `opted out by tag ${skipTag}=true` } : undefined;
}

/**
 * The managed add-on, as DescribeAddon shows it: CREATING/UPDATING/DELETING wait (someone else's change), a broken
 * add-on (…_FAILED, DEGRADED, or any health issue) ends FAILED before any change, anything else goes on.
 *
 * @example
 * addonGate({ status: 'DEGRADED', issues: [] }) // { kind: 'refuse', outcome: 'FAILED', code: 'ADDON_BROKEN', … }
 */
export function addonGate(addon: { readonly status?: string | undefined; readonly issues?: readonly { readonly code: string; readonly message: string }[] | undefined }): Gate {
  const status = addon.status ?? 'ACTIVE';
  const issues = addon.issues ?? [];
  if (BUSY_ADDON.has(status)) return { kind: 'wait', status };
  if (BROKEN_ADDON.has(status) || issues.length > 0)
    return {
      kind: 'refuse',
      outcome: 'FAILED',
      code: RefusalCode.ADDON_BROKEN,
      reason: `the add-on is ${status}${issues.length > 0 ? ` with ${issues.length} health issue(s)` : ''}: it is never upgraded on top of a broken add-on`,
      addon: { status, issues },
    };
  return GO;
}

/**
 * The aws-node pre-flight's verdict (lib/rollout/rollout-verdict.ts): a rollout or a pod start in progress is waited
 * for like a busy add-on, an unhealthy aws-node leaves the cluster BLOCKED before any change (an upgrade would only
 * replace the pods an operator needs to look at first, and the rollout gate could not tell its own damage from
 * what was there), a healthy one goes on.
 *
 * @example
 * awsNodeGate({ status: 'UNHEALTHY', counts, faults: [{ node: 'ip-10-0-0-4…', pod: 'aws-node-x', container: 'aws-node', reason: 'CrashLoopBackOff', message: '…' }] })
 * // { kind: 'refuse', outcome: 'BLOCKED', code: 'AWS_NODE_UNHEALTHY', … }
 */
export function awsNodeGate(verdict: RolloutVerdict): Gate {
  if (verdict.status === 'PENDING') return { kind: 'wait', status: `aws-node still rolling out (${verdict.waiting[0] ?? 'pods starting'})` };
  if (verdict.status === 'UNHEALTHY')
    return {
      kind: 'refuse',
      outcome: 'BLOCKED',
      code: RefusalCode.AWS_NODE_UNHEALTHY,
      reason: `aws-node is already unhealthy on ${new Set(verdict.faults.map((f) => f.node)).size} node(s): it is never upgraded on top of broken pods`,
      faults: verdict.faults,
    };
  return GO;
}

/**
 * A cluster without the managed add-on, from what its Kubernetes API shows: no aws-node DaemonSet, a Fargate-only
 * cluster or an image tag that names no vpc-cni version leave it SKIPPED. On Fargate nodes "you don't update" the
 * VPC CNI (https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html), and a DaemonSet that runs on no
 * node has nothing to carry over, so it is not turned into a managed add-on (docs/cluster-outcomes.md).
 *
 * @example
 * selfManagedRefusal({ daemonSet: true, fargateOnly: true, version: 'v1.16.4', image: '…/amazon-k8s-cni:v1.16.4' }) // { outcome: 'SKIPPED', code: 'FARGATE_ONLY', … }
 */
export function selfManagedRefusal(install: { readonly daemonSet: boolean; readonly fargateOnly: boolean; readonly version: string | undefined; readonly image?: string | undefined }): Refusal | undefined {
  if (!install.daemonSet)
    return { outcome: 'SKIPPED', code: RefusalCode.NO_VPC_CNI, reason: 'no managed vpc-cni add-on and no aws-node DaemonSet in kube-system: nothing to migrate' };
  if (install.fargateOnly)
    return { outcome: 'SKIPPED', code: RefusalCode.FARGATE_ONLY, reason: 'Fargate-only: every node is a Fargate node, where the VPC CNI is not updated, so the self-managed DaemonSet is left as it is' };
  if (install.version === undefined)
    return { outcome: 'SKIPPED', code: RefusalCode.UNREADABLE_VERSION, reason: `the aws-node image "${install.image ?? ''}" has no vpc-cni version tag; set the installed version by hand first` };
  return undefined;
}

export interface PathInput {
  /** The installed version: the add-on's, or the self-managed image tag. */
  readonly from: string;
  readonly install: 'managed' | 'self-managed';
  readonly kubernetesVersion: string;
  /** The builds EKS offers for the Kubernetes version (DescribeAddonVersions). */
  readonly builds: readonly CompatibleBuild[];
  readonly target: TargetSpec | string;
  readonly allowDowngrade: boolean;
  /** Migrate a self-managed install although some of its settings cannot be carried over. */
  readonly acceptUntranslatable: boolean;
  /** The managed add-on's configurationValues, checked against every build on the path. */
  readonly configurationValues?: string | null | undefined;
  /** A self-managed install's settings, translated for the add-on (lib/migration). */
  readonly translation?: Translation | undefined;
  /** DescribeAddonConfiguration: asked only for builds on a path that is not already refused. */
  readonly schemaFor?: SchemaFor | undefined;
  /** The add-on's version rules (its spec's versionPolicy); planPath's default, vpc-cni's, when absent. */
  readonly policy?: VersionPolicy | undefined;
}

/** The path of one cluster and whether it may be taken (a refusal says why not). */
export type PathDecision =
  | {
      readonly plan: UpgradePlan;
      /** A self-managed install: what CreateAddon carries over (fitted to every build's schema) and what it cannot. */
      readonly migration?: FittedTranslation;
      readonly notes: readonly string[];
      readonly refusal?: Refusal;
    }
  /** The installed version could not be read at all: no path. */
  | { readonly plan: undefined; readonly migration?: undefined; readonly notes: readonly string[]; readonly refusal: Refusal };

const blocked = (code: RefusalCode, reason: string, extra: Partial<Refusal> = {}): Refusal => ({ outcome: 'BLOCKED', code, reason, ...extra });

/**
 * The minor-by-minor path (lib/versions/plan-path.ts) and the checks made on it before the first change, in the
 * order the workflow makes them: no safe path → BLOCKED; a self-managed setting the add-on cannot take over →
 * BLOCKED unless `acceptUntranslatable`; configurationValues that a build on the path refuses → BLOCKED.
 *
 * @throws InvalidConfigurationSchemaError when a build's schema is unusable; errors of `schemaFor`
 * @example
 * const { plan, refusal } = await decidePath({ from: 'v1.8.0-eksbuild.1', install: 'managed', kubernetesVersion: '1.31', builds, target: 'default', allowDowngrade: false, acceptUntranslatable: false })
 * refusal // { outcome: 'BLOCKED', code: 'MINOR_NOT_OFFERED', … }
 */
export async function decidePath(input: PathInput): Promise<PathDecision> {
  let plan: UpgradePlan;
  try {
    plan = planPath({ from: input.from, target: input.target, kubernetesVersion: input.kubernetesVersion, builds: input.builds, install: input.install, allowDowngrade: input.allowDowngrade, ...(input.policy ? { policy: input.policy } : {}) });
  } catch (error) {
    // An installed version nobody can plan from (as EKS or a hand-edited source reports it) blocks this cluster.
    if (isCniFleetError(error) && (error as { field?: unknown }).field === 'from')
      return { plan: undefined, notes: [], refusal: blocked(RefusalCode.UNREADABLE_VERSION, `the installed version "${input.from}" is not a vpc-cni version an upgrade can start from`) };
    throw error;
  }
  if (plan.blocked) return { plan, notes: plan.notes, refusal: blocked(plan.blocked.code, plan.blocked.reason) };
  const schemaFor = input.schemaFor;
  const schemas = async () => (schemaFor ? Promise.all(plan.hops.map(async (h) => ({ version: h.to, schema: await schemaFor(h.to) }))) : []);

  if (input.install === 'self-managed' && input.translation) {
    const migration = fitToSchemas(input.translation, await schemas());
    const notes = [...plan.notes, ...migrationNotes(migration)];
    const left = migration.untranslatable.map((u) => `${u.field}: ${u.reason}`);
    const refusal =
      left.length > 0 && !input.acceptUntranslatable
        ? blocked(RefusalCode.UNTRANSLATABLE_SETTINGS, `${left.length} setting(s) of the aws-node DaemonSet cannot be carried over to the managed add-on: ${left.join('; ')}`, { settings: left })
        : undefined;
    return { plan, migration, notes, ...(refusal ? { refusal } : {}) };
  }

  const configuration = input.configurationValues;
  if (configuration && configuration.trim() !== '') {
    for (const { version, schema } of await schemas()) {
      const verdict = validateConfigurationValues(schema, configuration);
      if (!verdict.ok) {
        const problems = verdict.problems.map((p) => `${p.path}: ${p.message}`);
        return {
          plan,
          notes: plan.notes,
          refusal: blocked(RefusalCode.CONFIGURATION_REJECTED, `configurationValues are not valid for ${version}: ${problems.join('; ')}`, { rejected: { version, problems } }),
        };
      }
    }
  }
  return { plan, notes: plan.notes };
}

/**
 * The outcome a path decision leads to: its refusal's, else UNCHANGED for zero hops and PLANNED otherwise.
 *
 * @example
 * outcomeOf({ plan, notes: [] }) // 'PLANNED'
 */
export const outcomeOf = (decision: { readonly plan?: { readonly hops: readonly unknown[] } | undefined; readonly refusal?: Refusal | undefined }): PlannedOutcome =>
  decision.refusal?.outcome ?? ((decision.plan?.hops.length ?? 0) > 0 ? 'PLANNED' : 'UNCHANGED');

/**
 * The typed error the workflow ends a refused cluster with (its name is what the state machine's Catch and
 * RecordFailure classify: BLOCKED, SKIPPED or FAILED).
 *
 * @example
 * throw refusalError('111122223333/us-east-1/lab', controlPlaneRefusal) // ClusterSkippedError
 */
export function refusalError(cluster: string, refusal: Refusal): CniFleetError {
  switch (refusal.code) {
    case RefusalCode.ADDON_BROKEN:
      return new AddonUnhealthyError(cluster, refusal.addon?.status ?? 'UNKNOWN', refusal.addon?.issues ?? []);
    case RefusalCode.UNTRANSLATABLE_SETTINGS:
      return new UntranslatableSettingsError(cluster, refusal.settings ?? [refusal.reason]);
    case RefusalCode.AWS_NODE_UNHEALTHY:
      return new AwsNodeUnhealthyError(cluster, refusal.faults ?? []);
    case RefusalCode.CONFIGURATION_REJECTED:
      return new ConfigurationRejectedError(cluster, refusal.rejected?.version ?? 'a build on the path', refusal.rejected?.problems ?? [refusal.reason]);
    default:
      return refusal.outcome === 'SKIPPED' ? new ClusterSkippedError(cluster, refusal.reason) : new PlanBlockedError(cluster, refusal.code, refusal.reason);
  }
}
