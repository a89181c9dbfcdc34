/**
 * What a hop does to the add-on:
 * - `create`: CreateAddon, adopting a self-managed `aws-node` DaemonSet as the managed add-on;
 * - `minor`: UpdateAddon to the next (or, when downgrading, previous) minor line;
 * - `patch`: UpdateAddon within one minor line (a patch or eksbuild-only move).
 */
export const HopKind = { CREATE: 'create', MINOR: 'minor', PATCH: 'patch' } as const;
export type HopKind = (typeof HopKind)[keyof typeof HopKind];

/** One CreateAddon or UpdateAddon call of a plan. */
export interface UpgradeHop {
  /** 1-based position in the plan. */
  readonly index: number;
  /** The version before the hop (a plain upstream tag for a `create` from a self-managed install). */
  readonly from: string;
  /** The EKS build the hop moves to. */
  readonly to: string;
  readonly kind: HopKind;
}

/** Why a plan cannot be carried out. Every code names one rule; the reason is a sentence for people. */
export const PlanBlockCode = {
  /** DescribeAddonVersions offers no vpc-cni build at all for the cluster's Kubernetes version. */
  NO_COMPATIBLE_BUILD: 'NO_COMPATIBLE_BUILD',
  /** `default` was asked for, but no offered build is flagged `defaultVersion`. */
  NO_DEFAULT_BUILD: 'NO_DEFAULT_BUILD',
  /** The exact target build is not offered for the cluster's Kubernetes version. */
  TARGET_NOT_OFFERED: 'TARGET_NOT_OFFERED',
  /** The target is older than the installed version and downgrades were not allowed. */
  DOWNGRADE_REFUSED: 'DOWNGRADE_REFUSED',
  /** A minor line on the way has no build offered for the cluster's Kubernetes version. */
  MINOR_NOT_OFFERED: 'MINOR_NOT_OFFERED',
  /** The path would reach v1.12 or later without ever running v1.7.x. */
  V1_7_GATE: 'V1_7_GATE',
  /** From and target differ in major version: vpc-cni has never had one, so there is no known path. */
  MAJOR_VERSION_CHANGE: 'MAJOR_VERSION_CHANGE',
} as const;
export type PlanBlockCode = (typeof PlanBlockCode)[keyof typeof PlanBlockCode];

export interface PlanBlock {
  readonly code: PlanBlockCode;
  readonly reason: string;
}

/**
 * The minor-by-minor path of one cluster's vpc-cni from its installed version to a target.
 * Exactly one of these holds: `blocked` is set (and `hops` is empty), or `hops` ends at `target`,
 * or `hops` is empty because nothing needs doing (`notes` says why when that is not obvious).
 */
export interface UpgradePlan {
  /** The installed version: an EKS build, or a plain upstream tag for a self-managed DaemonSet. */
  readonly from: string;
  /** The resolved target build; `null` when the target itself could not be resolved. */
  readonly target: string | null;
  readonly kubernetesVersion: string;
  readonly direction: 'up' | 'down' | 'none';
  readonly hops: readonly UpgradeHop[];
  readonly blocked: PlanBlock | null;
  readonly notes: readonly string[];
}
