import type { CompatibleBuild } from '../versions/compatible-build.js';
import type { TargetSpec } from '../versions/resolve-target.js';
import { parseTargetSpec } from '../versions/resolve-target.js';
import type { UpgradeHop } from '../versions/upgrade-plan.js';
import { DEFAULT_SKIP_TAG } from '../schemas/execution-input.js';
import type { BuildsFor, ClusterFacts, SchemaFor } from './cluster-facts.js';
import type { PlannedOutcome, Refusal } from './cluster-decision.js';
import { addonGate, controlPlaneGate, decidePath, optOutRefusal, outcomeOf, RefusalCode, selfManagedRefusal } from './cluster-decision.js';
import { describeWindow, parseWindow, windowStatus, WindowSyntaxError } from '../controls/maintenance-window.js';
import type { VersionPolicy } from '../versions/version-policy.js';
import { CONTROL_DEFAULTS } from '../schemas/upgrade-defaults.js';

/** Every reason a cluster's plan can be blocked or the cluster left alone (lib/plan/cluster-decision.ts). */
export const ClusterBlockCode = RefusalCode;
export type ClusterBlockCode = RefusalCode;

/** One cluster's plan, flat for the CLI's JSON and table. */
export interface ClusterPlan {
  readonly name: string;
  readonly region: string;
  readonly accountId?: string;
  readonly kubernetesVersion: string;
  readonly status?: string;
  readonly install: 'managed' | 'self-managed' | 'none';
  /**
   * The cluster's maintenance window (its window tag, docs/operating-a-run.md): whether it is open at the time of the
   * plan and the earliest start of a first change; absent when the cluster has no such tag.
   */
  readonly window?: { readonly text: string; readonly open: boolean; readonly earliestStart: string };
  /** The installed version, or null when none is known. */
  readonly from: string | null;
  /** The resolved target build, or null when it could not be resolved. */
  readonly target: string | null;
  readonly hops: readonly UpgradeHop[];
  /**
   * What a run would do with the cluster, in the words a dry run records: PLANNED (hops to take), UNCHANGED (at its
   * target), BLOCKED (no safe path, or settings that cannot be carried), SKIPPED (not to be touched) or FAILED (an
   * add-on that is already broken).
   */
  readonly outcome: PlannedOutcome;
  /** Why the cluster is left alone (BLOCKED, SKIPPED, FAILED), as a sentence; null otherwise. */
  readonly reason: string | null;
  readonly reasonCode: ClusterBlockCode | null;
  /** Why the plan is BLOCKED, as a sentence; null unless the outcome is BLOCKED. */
  readonly blocked: string | null;
  readonly blockedCode: ClusterBlockCode | null;
  readonly notes: readonly string[];
  /** A self-managed install: the settings the create carries over and those it cannot (docs/self-managed.md). */
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
  /** DescribeAddonConfiguration: configurationValues and a self-managed cluster's settings are checked against every build on the path. */
  readonly schemaFor?: SchemaFor;
  /** The fleet's opt-out tag (default `cni-fleet/skip`, as in the fleet workflow). */
  readonly skipTag?: string;
  /** Migrate a self-managed install although some settings cannot be carried over (default false). */
  readonly acceptUntranslatable?: boolean;
  /** The maintenance-window tag (default `cni-fleet/window`, as in the workflow's `windows.tag`). */
  readonly windowTag?: string;
  /** The time the windows are judged at (default now). */
  readonly now?: Date;
  /** The add-on's version rules (its spec's versionPolicy); default vpc-cni's. */
  readonly policy?: VersionPolicy;
}

/**
 * Plans every cluster of a fleet with the rules the workflow applies (lib/plan/cluster-decision.ts), so each
 * cluster's `outcome` is what a dry run would record. Pure but for `buildsFor` (called once per distinct
 * Kubernetes version) and `schemaFor`. The output has one entry per input cluster, in input order.
 *
 * @throws InvalidVersionError / InputValidationError naming `target` for a bad target (before any `buildsFor` call)
 * @example
 * await planFleet([{ name: 'c1', region: 'us-east-1', kubernetesVersion: '1.23', addonVersion: 'v1.17.1-eksbuild.1' }],
 *   { target: 'default', buildsFor: async (k8s) => loadCatalogue().compatibleBuilds(k8s) })
 * // { clusters: [{ name: 'c1', from: 'v1.17.1-eksbuild.1', target: 'v1.18.5-eksbuild.1', hops: [{ index: 1, kind: 'minor', … }], outcome: 'PLANNED', … }] }
 */
export async function planFleet(clusters: readonly ClusterFacts[], options: PlanFleetOptions): Promise<FleetPlan> {
  const target = typeof options.target === 'object' ? options.target : parseTargetSpec(options.target ?? 'default', 'target');
  const versions = [...new Set(clusters.map((c) => c.kubernetesVersion))];
  const offered = new Map<string, readonly CompatibleBuild[]>(
    await Promise.all(versions.map(async (k8s) => [k8s, await options.buildsFor(k8s)] as const)),
  );
  return { clusters: await Promise.all(clusters.map((c) => planCluster(c, target, offered.get(c.kubernetesVersion) ?? [], options))) };
}

async function planCluster(c: ClusterFacts, target: TargetSpec, builds: readonly CompatibleBuild[], options: PlanFleetOptions): Promise<ClusterPlan> {
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
  const notes: string[] = [];
  let window: ClusterPlan['window'];
  const leftAlone = (refusal: Refusal): ClusterPlan => ({
    ...base,
    ...(window ? { window } : {}),
    target: null,
    hops: [],
    ...refused(refusal),
    notes,
  });

  // The order of the workflow: the opt-out (DiscoverLane), the control plane, the add-on or the DaemonSet
  // (TakeSnapshot), then the path and the settings (PlanUpgrade).
  const optOut = optOutRefusal(c.tags, options.skipTag ?? DEFAULT_SKIP_TAG);
  if (optOut) return leftAlone(optOut);
  const controlPlane = controlPlaneGate({ status: c.status, autoMode: c.autoMode });
  if (controlPlane.kind === 'refuse') return leftAlone(controlPlane);
  if (controlPlane.kind === 'wait') notes.push(`the cluster is ${controlPlane.status}: a run waits for it to be ACTIVE`);
  // The maintenance window, where the workflow's start gate reads it (TakeSnapshot, before the add-on).
  const windowTag = options.windowTag ?? CONTROL_DEFAULTS.windowTag;
  const tagValue = c.tags?.[windowTag];
  if (tagValue !== undefined) {
    try {
      const parsed = parseWindow(tagValue);
      const status = windowStatus(parsed, options.now ?? new Date());
      window = { text: describeWindow(parsed), open: status.open, earliestStart: status.opensAt.toISOString() };
      if (!window.open)
        notes.push(`outside its maintenance window ${window.text}: its first change starts at ${window.earliestStart} at the earliest, or waits for the next run (options.windows)`);
    } catch (error) {
      if (!(error instanceof WindowSyntaxError)) throw error;
      return leftAlone({ outcome: 'BLOCKED', code: RefusalCode.WINDOW_TAG_UNREADABLE, reason: `tag ${windowTag}="${tagValue}" is not a maintenance window (${error.problem}); expected e.g. "Sat-Sun 02:00-06:00 UTC"` });
    }
  }
  if (install === 'managed') {
    const addon = addonGate({ status: c.addonStatus, issues: c.addonIssues });
    if (addon.kind === 'refuse') return leftAlone(addon);
    if (addon.kind === 'wait') notes.push(`the add-on is ${addon.status}: a run waits for it to settle`);
  } else {
    const refusal = selfManagedRefusal({ daemonSet: install === 'self-managed', fargateOnly: c.fargateOnly === true, version: c.selfManagedVersion });
    if (refusal) return leftAlone(refusal);
  }

  const decision = await decidePath({
    from: from ?? '',
    install: install === 'self-managed' ? 'self-managed' : 'managed',
    kubernetesVersion: c.kubernetesVersion,
    builds,
    target,
    allowDowngrade: options.allowDowngrade ?? false,
    acceptUntranslatable: options.acceptUntranslatable ?? false,
    configurationValues: c.configurationValues,
    translation: c.selfManagedSettings,
    schemaFor: options.schemaFor,
    policy: options.policy,
  });
  const migration = decision.migration;
  const value = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  return {
    ...base,
    ...(window ? { window } : {}),
    target: decision.plan?.target ?? null,
    hops: decision.refusal ? [] : (decision.plan?.hops ?? []),
    ...(decision.refusal ? refused(decision.refusal) : { outcome: outcomeOf(decision), reason: null, reasonCode: null, blocked: null, blockedCode: null }),
    notes: [...decision.notes, ...notes],
    ...(migration
      ? {
          migration: {
            carried: migration.carried.map((s) => `${s.key}=${value(s.value)}`),
            notCarried: migration.untranslatable.map((u) => `${u.field}: ${u.reason}`),
            serviceAccountRoleArn: migration.serviceAccountRoleArn,
          },
        }
      : {}),
  };
}

const refused = (refusal: Refusal): Pick<ClusterPlan, 'outcome' | 'reason' | 'reasonCode' | 'blocked' | 'blockedCode'> => ({
  outcome: refusal.outcome,
  reason: refusal.reason,
  reasonCode: refusal.code,
  blocked: refusal.outcome === 'BLOCKED' ? refusal.reason : null,
  blockedCode: refusal.outcome === 'BLOCKED' ? refusal.code : null,
});
