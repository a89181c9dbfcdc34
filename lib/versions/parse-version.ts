import { InvalidVersionError } from '../errors.js';

/** A parsed vpc-cni version: an upstream tag (`v1.12.6`) with an optional EKS build (`-eksbuild.2`). */
export interface VpcCniVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The EKS build number; `undefined` for a plain upstream tag such as a self-managed image's `v1.11.4`. */
  readonly eksbuild: number | undefined;
  /** The canonical text, e.g. `v1.12.6-eksbuild.2`. */
  readonly raw: string;
}

// Versions are "major-version.minor-version.patch-version-eksbuild.build-number"
// (docs/eks-behaviour.md#vpc-cni-versions-and-builds); self-managed DaemonSet images carry the plain upstream tag (the
// same section).
const VERSION = /^v(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})(?:-eksbuild\.([1-9]\d{0,3}))?$/;

/**
 * Parses a vpc-cni version string.
 *
 * @param input the text, e.g. `v1.12.6-eksbuild.2` or `v1.11.4`
 * @param field the name of the field the text came from, used in the error
 * @throws InvalidVersionError naming `field` when the text is not a version
 * @example
 * parseVersion('v1.12.6-eksbuild.2') // { major: 1, minor: 12, patch: 6, eksbuild: 2, raw: 'v1.12.6-eksbuild.2' }
 */
export function parseVersion(input: string, field = 'version'): VpcCniVersion {
  const match = typeof input === 'string' ? VERSION.exec(input) : null;
  if (!match) throw new InvalidVersionError(String(input), field);
  const [, major, minor, patch, eksbuild] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    eksbuild: eksbuild === undefined ? undefined : Number(eksbuild),
    raw: input,
  };
}

/**
 * True when `input` is a valid vpc-cni version string.
 *
 * @example
 * isVersion('v1.12.6-eksbuild.2') // true
 * isVersion('1.12.6') // false: EKS versions carry the leading "v"
 */
export function isVersion(input: unknown): input is string {
  return typeof input === 'string' && VERSION.test(input);
}
