/**
 * The simulator's own reading of vpc-cni version names. It judges requests the way EKS does, independently of
 * the product's lib/versions, so a bug there is caught here instead of being agreed with (docs/simulator.md,
 * "An independent judge"). Versions are `vMAJOR.MINOR.PATCH` upstream tags, and EKS builds add `-eksbuild.N`
 * (https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html).
 */

/** A version split into its numbers; `build` is 0 for a plain upstream tag (a self-managed image). */
export interface BuildNumbers {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly build: number;
}

const NAME = /^v(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?$/;

/**
 * The numbers of a version name; undefined when it is not one.
 *
 * @example
 * buildNumbers('v1.12.6-eksbuild.2') // { major: 1, minor: 12, patch: 6, build: 2 }
 */
export function buildNumbers(name: string): BuildNumbers | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), build: m[4] === undefined ? 0 : Number(m[4]) };
}

const numbersOf = (name: string): BuildNumbers => {
  const numbers = buildNumbers(name);
  if (!numbers) throw new RangeError(`not a vpc-cni version: ${name}`);
  return numbers;
};

/**
 * Orders two version names, oldest first: by major, minor, patch, then build (a plain tag before its builds).
 *
 * @example
 * ['v1.13.4-eksbuild.1', 'v1.12.6'].sort(byVersion) // ['v1.12.6', 'v1.13.4-eksbuild.1']
 */
export function byVersion(a: string, b: string): number {
  const x = numbersOf(a);
  const y = numbersOf(b);
  for (const key of ['major', 'minor', 'patch', 'build'] as const) if (x[key] !== y[key]) return x[key] < y[key] ? -1 : 1;
  return 0;
}

/** True when `a` is older than `b`. */
export const isOlder = (a: string, b: string): boolean => byVersion(a, b) < 0;

/**
 * EKS's rule for the managed vpc-cni: "Updating VPC-CNI can only go up or down 1 minor version at a time"
 * (the error text EKS answers; the user guide: "You can only update one minor version at a time"). Moves within
 * a minor (patch or eksbuild, either direction) are free; a move across majors is never one step.
 *
 * @example
 * withinOneMinor('v1.12.6-eksbuild.2', 'v1.13.4-eksbuild.1') // true
 * withinOneMinor('v1.12.6-eksbuild.2', 'v1.14.1-eksbuild.1') // false
 */
export function withinOneMinor(from: string, to: string): boolean {
  const x = numbersOf(from);
  const y = numbersOf(to);
  return x.major === y.major && Math.abs(x.minor - y.minor) <= 1;
}

/** The upstream tag a build is made from: `v1.12.6` for `v1.12.6-eksbuild.2`. */
export function upstreamTag(name: string): string {
  const { major, minor, patch } = numbersOf(name);
  return `v${major}.${minor}.${patch}`;
}

/** The minor line as a pair key, `1.12` for `v1.12.6-eksbuild.2`: builds of one line share it. */
export function minorLineOf(name: string): string {
  const { major, minor } = numbersOf(name);
  return `${major}.${minor}`;
}
