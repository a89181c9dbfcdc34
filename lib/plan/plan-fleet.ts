import type { InvalidVersionError } from '../errors.js';
import { isCniFleetError } from '../errors.js';
import type { CompatibleBuild } from '../versions/compatible-build.js';
import { planPath } from '../versions/plan-path.js';
import type { TargetSpec } from '../versions/resolve-target.js';
import { parseTargetSpec } from '../versions/resolve-target.js';
import type { UpgradeHop, UpgradePlan } from '../versions/upgrade-plan.js';
import { PlanBlockCode } from '../versions/upgrade-plan.js';
import { fitToSchemas } from '../migration/fit-to-schema.js';
import { migrationNotes } from '../migration/plan-migration.js';
import type { BuildsFor, ClusterFacts, SchemaFor } from './cluster-facts.js';

/** Every reason a cluster's plan can be blocked: the path rules, plus what only a fleet can lack. */
export const ClusterBlockCode = {
  ...PlanBlockCode,
  /** Neither a managed add-on nor a known self-managed version. */
  NO_VPC_CNI: 'NO_VPC_CNI',
  /** The installed version (e.g. as DescribeAddon reported it) is not a vpc-cni version. */
  UNREADABLE_VERSION: 'UNREADABLE_VERSION',
} as const;
export type ClusterBlockCode = (typeof ClusterBlockCode)[keyof typeof ClusterBlockCode];

/** One cluster's plan, flat for the CLI's JSON and table. */
export interface ClusterPlan {
  readonly name: string;
  readonly region: string;
  readonly accountId?: string;
  readonly kubernetesVersion: string;
  readonly status?: string;
  readonly install: 'managed' | 'self-managed' | 'none';
  /** The installed version, or null when none is known. */
  readonly from: string | null;
  /** The resolved target build, or null when it could not be resolved. */
  readonly target: string | null;
  readonly hops: readonly UpgradeHop[];
  /** Why nothing can be done, as a sentence; null when the plan can run (or has nothing to do). */
  readonly blocked: string | null;
  readonly blockedCode: ClusterBlockCode | null;
  readonly notes: readonly string[];
  /** A self-managed install: the settings the create carries over and those it cannot (issue #6). */
  readonly migration?: { readonly carried: readonly string[]; readonly notCarried: readonly string[]; readonly serviceAccountRoleArn: string | null };
}

export interface FleetPlan {
  readonly clusters: readonly ClusterPlan[];
}

export interface PlanFleetOptions {
  /** Default `default`. */
  readonly target?: TargetSpec | string;
  readonly allowDowngrade?: boolean;
  /** DescribeAddonVersions (or the simulator catalogue); called once per distinct Kubernetes version. */
  readonly buildsFor: BuildsFor;
  /** DescribeAddonConfiguration: a self-managed cluster's settings are checked against every build on its path. */
  readonly schemaFor?: SchemaFor;
}

// facts §4 AddonStatus / ClusterStatus: only ACTIVE accepts an update right away (UpdateAddon on a non-ACTIVE
// add-on is a 409, facts §7.2), so anything else is worth a note even though the path itself is still right.
const statusNotes = (c: ClusterFacts): string[] => [
  ...(c.status && c.status !== 'ACTIVE' ? [`the cluster is ${c.status}`] : []),
  ...(c.addonStatus && c.addonStatus !== 'ACTIVE' ? [`the add-on is ${c.addonStatus}`] : []),
];

/**
 * Plans every cluster of a fleet. Pure but for `buildsFor`, which it calls once per distinct Kubernetes version.
 * A cluster whose installed version cannot be planned from is blocked, not dropped, so the output always has
 * one entry per input cluster, in input order.
 *
 * @throws InvalidVersionError / InputValidationError naming `target` for a bad target (before any `buildsFor` call)
 * @example
 * await planFleet([{ name: 'c1', region: 'us-east-1', kubernetesVersion: '1.23', addonVersion: 'v1.17.1-eksbuild.1' }],
 *   { target: 'default', buildsFor: async (k8s) => loadCatalogue().compatibleBuilds(k8s) })
 * // { clusters: [{ name: 'c1', from: 'v1.17.1-eksbuild.1', target: 'v1.18.5-eksbuild.1', hops: [{ index: 1, kind: 'minor', … }], blocked: null, … }] }
 */
export async function planFleet(clusters: readonly ClusterFacts[], options: PlanFleetOptions): Promise<FleetPlan> {
  const target = typeof options.target === 'object' ? options.target : parseTargetSpec(options.target ?? 'default', 'target');
  const versions = [...new Set(clusters.map((c) => c.kubernetesVersion))];
  const offered = new Map<string, readonly CompatibleBuild[]>(
    await Promise.all(versions.map(async (k8s) => [k8s, await options.buildsFor(k8s)] as const)),
  );
  const plans = clusters.map((c) => planCluster(c, target, offered.get(c.kubernetesVersion) ?? [], options.allowDowngrade ?? false));
  return { clusters: await Promise.all(plans.map((p, i) => withMigration(p, clusters[i]!, options.schemaFor))) };
}

/** A self-managed cluster's plan, with what the create hop carries over (fitted to every build on the path). */
async function withMigration(plan: ClusterPlan, facts: ClusterFacts, schemaFor: SchemaFor | undefined): Promise<ClusterPlan> {
  const translation = facts.selfManagedSettings;
  if (!translation || plan.install !== 'self-managed') return plan;
  const builds = schemaFor && plan.blocked === null ? await Promise.all(plan.hops.map(async (h) => ({ version: h.to, schema: await schemaFor(h.to) }))) : [];
  const fitted = fitToSchemas(translation, builds);
  const value = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return {
    ...plan,
    notes: [...plan.notes, ...migrationNotes(fitted)],
    migration: {
      carried: fitted.carried.map((c) => `${c.key}=${value(c.value)}`),
      notCarried: fitted.untranslatable.map((u) => `${u.field}: ${u.reason}`),
      serviceAccountRoleArn: fitted.serviceAccountRoleArn,
    },
  };
}

function planCluster(c: ClusterFacts, target: TargetSpec, builds: readonly CompatibleBuild[], allowDowngrade: boolean): ClusterPlan {
  const install = c.addonVersion !== undefined ? 'managed' : c.selfManagedVersion !== undefined ? 'self-managed' : 'none';
  const from = c.addonVersion ?? c.selfManagedVersion ?? null;
  const base = {
    name: c.name,
    region: c.region,
    ...(c.accountId ? { accountId: c.accountId } : {}),
    kubernetesVersion: c.kubernetesVersion,
    ...(c.status ? { status: c.status } : {}),
    install,
    from,
  } as const;
  const blockedBy = (code: ClusterBlockCode, reason: string): ClusterPlan => ({
    ...base,
    target: null,
    hops: [],
    blocked: reason,
    blockedCode: code,
    notes: statusNotes(c),
  });

  if (install === 'none' || from === null)
    return blockedBy(ClusterBlockCode.NO_VPC_CNI, 'no managed vpc-cni add-on, and no self-managed aws-node version is known (give it as selfManaged.version in a fleet file)');
  let plan: UpgradePlan;
  try {
    plan = planPath({ from, target, kubernetesVersion: c.kubernetesVersion, builds, install, allowDowngrade });
  } catch (error) {
    // A version EKS (or a hand-edited source) reports that we cannot parse blocks this cluster, not the fleet.
    if (isCniFleetError(error) && error.name === 'InvalidVersionError' && (error as InvalidVersionError).field === 'from')
      return blockedBy(ClusterBlockCode.UNREADABLE_VERSION, `the installed version "${from}" is not a vpc-cni version`);
    throw error;
  }
  return {
    ...base,
    target: plan.target,
    hops: plan.hops,
    blocked: plan.blocked?.reason ?? null,
    blockedCode: plan.blocked?.code ?? null,
    notes: [...plan.notes, ...statusNotes(c)],
  };
}
