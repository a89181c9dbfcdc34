import { InputValidationError } from '../errors.js';
import { compareVersions, minorIndex } from './compare-versions.js';
import type { CompatibleBuild } from './compatible-build.js';
import type { VpcCniVersion } from './parse-version.js';
import { parseVersion } from './parse-version.js';
import type { TargetSpec } from './resolve-target.js';
import { parseTargetSpec, resolveTarget } from './resolve-target.js';
import type { PlanBlock, UpgradeHop, UpgradePlan } from './upgrade-plan.js';
import { HopKind, PlanBlockCode } from './upgrade-plan.js';
import { VPC_CNI_VERSION_POLICY, type VersionPolicy } from './version-policy.js';

/** How vpc-cni is installed on the cluster. */
export type Install = 'managed' | 'self-managed';

export interface PlanPathInput {
  /** The installed version: an EKS build, or a plain upstream tag (`v1.11.4`) of a self-managed DaemonSet. */
  readonly from: string;
  /** `default`, `latest` or an exact EKS build. */
  readonly target: TargetSpec | string;
  /** The cluster's Kubernetes minor, e.g. `1.29`. */
  readonly kubernetesVersion: string;
  /** DescribeAddonVersions(addonName vpc-cni, kubernetesVersion) as CompatibleBuilds. */
  readonly builds: readonly CompatibleBuild[];
  /** Default: `self-managed` for a plain upstream tag, `managed` for an EKS build. */
  readonly install?: Install;
  /** Step down (still one minor at a time) to an exact target older than `from`. Default false. */
  readonly allowDowngrade?: boolean;
  /** The add-on's version rules (its spec's versionPolicy). Default: vpc-cni's. */
  readonly policy?: VersionPolicy;
}

// A waypoint (for vpc-cni the v1.7.0 gate, docs/eks-behaviour.md#the-v17-gate: "To upgrade to VPC CNI v1.12.0 or
// later, you must upgrade to VPC CNI v1.7.0 first") as minor-line indexes. Minor-by-minor walks honour it by
// construction; only a create can jump over it.
const waypointLines = (policy: VersionPolicy): { line: number; before: number; name: string; beforeName: string }[] =>
  policy.waypoints.map((w) => ({ line: minorIndex(`${w.line}.0`), before: minorIndex(`${w.before}.0`), name: w.line, beforeName: w.before }));

const lineName = (major: number, index: number): string => `v${major}.${index - major * 1000}`;

/**
 * Plans the path of one cluster's vpc-cni from its installed version to a target, one minor version per hop.
 * Pure: no I/O; the caller passes the builds offered for the cluster's Kubernetes version.
 *
 * Rules: each intermediate hop goes to the newest offered build of the next minor line and the last hop to
 * the resolved target; a move within one minor line is one `patch` hop; a self-managed install is first
 * adopted with a `create` hop; a minor line with no offered build blocks the plan; a target older than `from`
 * blocks unless `allowDowngrade`, except that `default`/`latest` below `from` plan nothing.
 *
 * @throws InvalidVersionError naming `from`, `target` or `builds[i].version` for a malformed version
 * @throws InputValidationError for a managed `from` that is not an EKS build, or an offered build that is not one
 * @example
 * planPath({ from: 'v1.10.1-eksbuild.1', target: 'v1.12.6-eksbuild.2', kubernetesVersion: '1.24', builds })
 * // hops: v1.10.1-eksbuild.1 → v1.11.4-eksbuild.3 (minor), v1.11.4-eksbuild.3 → v1.12.6-eksbuild.2 (minor)
 */
export function planPath(input: PlanPathInput): UpgradePlan {
  const from = parseVersion(input.from, 'from');
  const spec = typeof input.target === 'string' ? parseTargetSpec(input.target, 'target') : input.target;
  const k8s = input.kubernetesVersion;
  const install: Install = input.install ?? (from.eksbuild === undefined ? 'self-managed' : 'managed');
  const policy = input.policy ?? VPC_CNI_VERSION_POLICY;
  if (install === 'managed' && from.eksbuild === undefined)
    throw new InputValidationError('from', `"${from.raw}" is an upstream tag; a managed add-on always runs an EKS build (vX.Y.Z-eksbuild.N)`);
  const newestOfLine = newestBuildPerLine(input.builds);

  const base = { from: from.raw, kubernetesVersion: k8s };
  const resolved = resolveTarget(spec, input.builds, k8s);
  if (!resolved.ok) return { ...base, target: null, direction: 'none', hops: [], blocked: resolved.blocked, notes: [] };
  const target = parseVersion(resolved.version, 'target');
  const stop = (blocked: PlanBlock | null, notes: string[] = []): UpgradePlan => ({ ...base, target: target.raw, direction: 'none', hops: [], blocked, notes });

  if (from.major !== target.major)
    return stop({ code: PlanBlockCode.MAJOR_VERSION_CHANGE, reason: `${from.raw} and ${target.raw} differ in major version; there is no minor-by-minor path between them` });

  const order = compareVersions(from, target);
  if (order === 0 && install === 'managed') return stop(null);
  if (order > 0) {
    if (resolved.symbolic) {
      const stays = install === 'self-managed' ? '; it stays self-managed (name an exact build to adopt it)' : '';
      return stop(null, [`${from.raw} is newer than the ${spec.kind} build ${target.raw} for Kubernetes ${k8s}: a symbolic target never downgrades${stays}`]);
    }
    if (!input.allowDowngrade)
      return stop({ code: PlanBlockCode.DOWNGRADE_REFUSED, reason: `${target.raw} is older than the installed ${from.raw}; downgrades need allowDowngrade (--allow-downgrade)` });
  }

  const step = (order > 0 ? -1 : 1) * policy.minorsPerHop;
  const targetLine = minorIndex(target);
  const buildOf = (line: number): string | undefined => (line === targetLine ? target.raw : newestOfLine.get(line));
  const hops: UpgradeHop[] = [];
  const notes: string[] = [];
  const push = (to: string, kind: UpgradeHop['kind']): void => {
    hops.push({ index: hops.length + 1, from: hops.at(-1)?.to ?? from.raw, to, kind });
  };

  if (install === 'self-managed') {
    const adopted = adoptionLine(from, step, buildOf);
    const createAt = buildOf(adopted)!;
    if (adopted !== minorIndex(from))
      notes.push(
        `${lineName(from.major, minorIndex(from))} has no build offered for Kubernetes ${k8s}; the add-on is created at ${createAt}, the nearest offered minor towards ${target.raw}`,
      );
    else if (adopted !== targetLine && compareVersions(createAt, from) < 0)
      notes.push(`the add-on is created at ${createAt}, older than the installed ${from.raw}: the newest ${lineName(from.major, adopted)} build offered for Kubernetes ${k8s}`);
    const jumped = waypointLines(policy).find((w) => step > 0 && minorIndex(from) < w.line && adopted > w.line && targetLine >= w.before);
    if (jumped)
      return stop({
        code: PlanBlockCode.V1_7_GATE,
        reason: `${from.raw} must run ${jumped.name}.x before reaching ${target.raw} (${jumped.beforeName}.0 or later needs ${jumped.name}.0 first), but no ${jumped.name} build is offered for Kubernetes ${k8s}; upgrade the self-managed DaemonSet to ${jumped.name} by hand first`,
      });
    push(createAt, HopKind.CREATE);
  }

  // docs/eks-behaviour.md#the-one-minor-rule: EKS rejects vpc-cni moves of more than one minor ("can only go up or down
  // 1 minor version at a time"), so every minor line between here and the target gets its own hop.
  for (let line = minorIndex(hops.at(-1)?.to ?? from); line !== targetLine; ) {
    line += step;
    const to = buildOf(line);
    if (to === undefined)
      return stop({
        code: PlanBlockCode.MINOR_NOT_OFFERED,
        reason: `no ${lineName(from.major, line)} build is offered for Kubernetes ${k8s}, and vpc-cni moves one minor version at a time (${from.raw} → ${target.raw})`,
      });
    push(to, HopKind.MINOR);
  }
  if ((hops.at(-1)?.to ?? from.raw) !== target.raw) push(target.raw, HopKind.PATCH);

  return { ...base, target: target.raw, direction: order > 0 ? 'down' : order < 0 ? 'up' : 'none', hops, blocked: null, notes };
}

/** The minor line a self-managed install is adopted at: its own, else the nearest offered one towards the target. */
function adoptionLine(from: VpcCniVersion, step: number, buildOf: (line: number) => string | undefined): number {
  let line = minorIndex(from);
  // Terminates: `step` points from `from` towards the target's line, and buildOf(that line) is the target.
  while (buildOf(line) === undefined) line += step;
  return line;
}

/** Minor line index → its newest offered build. */
function newestBuildPerLine(builds: readonly CompatibleBuild[]): Map<number, string> {
  const newest = new Map<number, VpcCniVersion>();
  builds.forEach((b, i) => {
    const v = parseVersion(b.version, `builds[${i}].version`);
    if (v.eksbuild === undefined) throw new InputValidationError(`builds[${i}].version`, `"${v.raw}" is not an EKS build`);
    const line = minorIndex(v);
    const seen = newest.get(line);
    if (!seen || compareVersions(v, seen) > 0) newest.set(line, v);
  });
  return new Map([...newest].map(([line, v]) => [line, v.raw]));
}
