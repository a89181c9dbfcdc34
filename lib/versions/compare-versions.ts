import type { VpcCniVersion } from './parse-version.js';
import { parseVersion } from './parse-version.js';

type Comparable = string | VpcCniVersion;

const asVersion = (v: Comparable): VpcCniVersion => (typeof v === 'string' ? parseVersion(v) : v);

/**
 * Orders two versions: negative when `a` is older, 0 when equal, positive when newer. A plain upstream
 * tag sorts before every EKS build of the same upstream version (it is the build's base).
 *
 * @example
 * ['v1.13.4-eksbuild.1', 'v1.12.6'].sort(compareVersions) // ['v1.12.6', 'v1.13.4-eksbuild.1']
 */
export function compareVersions(a: Comparable, b: Comparable): number {
  const x = asVersion(a);
  const y = asVersion(b);
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch || (x.eksbuild ?? 0) - (y.eksbuild ?? 0);
}

/**
 * The minor line of a version as a comparable integer (`v1.12.6` → 1012), so minor distances are plain
 * subtraction: EKS counts vpc-cni steps in minor versions (docs/eks-behaviour.md#the-one-minor-rule).
 *
 * @example
 * minorIndex('v1.12.6-eksbuild.2') - minorIndex('v1.10.1-eksbuild.1') // 2
 */
export function minorIndex(v: Comparable): number {
  const x = asVersion(v);
  return x.major * 1000 + x.minor;
}

/** `v1.12` for `v1.12.6-eksbuild.2`. */
export function minorLine(v: Comparable): string {
  const x = asVersion(v);
  return `v${x.major}.${x.minor}`;
}
