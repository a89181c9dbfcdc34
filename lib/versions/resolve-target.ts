import { InputValidationError } from '../errors.js';
import { compareVersions } from './compare-versions.js';
import type { CompatibleBuild } from './compatible-build.js';
import { parseVersion } from './parse-version.js';
import type { PlanBlock } from './upgrade-plan.js';
import { PlanBlockCode } from './upgrade-plan.js';

/**
 * What the user asked for: the build EKS flags as default for the cluster's Kubernetes version, the
 * newest build offered for it, or one exact EKS build.
 */
export type TargetSpec = { readonly kind: 'default' } | { readonly kind: 'latest' } | { readonly kind: 'exact'; readonly version: string };

/** A target turned into one offered build, or the reason there is none. */
export type ResolvedTarget =
  | { readonly ok: true; readonly version: string; /** `default`/`latest`: never a reason to downgrade. */ readonly symbolic: boolean }
  | { readonly ok: false; readonly blocked: PlanBlock };

/**
 * Parses a target as typed on the command line or in an execution input.
 *
 * @param input `default`, `latest` or an EKS build such as `v1.19.0-eksbuild.1`
 * @param field the name of the option or field, used in the error
 * @throws InvalidVersionError naming `field` for text that is no version at all
 * @throws InputValidationError naming `field` for a plain upstream tag such as `v1.19.0`
 * @example
 * parseTargetSpec('latest') // { kind: 'latest' }
 * parseTargetSpec('v1.19.0-eksbuild.1') // { kind: 'exact', version: 'v1.19.0-eksbuild.1' }
 */
export function parseTargetSpec(input: string, field = 'target'): TargetSpec {
  if (input === 'default' || input === 'latest') return { kind: input };
  const version = parseVersion(input, field);
  // The add-on API only knows -eksbuild.N versions (docs/eks-behaviour.md#vpc-cni-versions-and-builds); a bare tag is a
  // self-managed image.
  if (version.eksbuild === undefined)
    throw new InputValidationError(field, `"${input}" is an upstream tag; the add-on needs an EKS build such as ${input}-eksbuild.1, or "default" or "latest"`);
  return { kind: 'exact', version: version.raw };
}

/**
 * Resolves a target against the builds DescribeAddonVersions offers for one Kubernetes version.
 * Pure: the caller fetched `builds` (newest first, though order is not relied on).
 *
 * @param spec a TargetSpec or its text (`default`, `latest`, `vX.Y.Z-eksbuild.N`)
 * @param builds every build offered for `kubernetesVersion`
 * @param kubernetesVersion the cluster's Kubernetes minor, e.g. `1.29`, used in reasons
 * @example
 * resolveTarget('default', [{ version: 'v1.19.2-eksbuild.1', isDefault: false }, { version: 'v1.18.6-eksbuild.1', isDefault: true }], '1.24')
 * // { ok: true, version: 'v1.18.6-eksbuild.1', symbolic: true }
 */
export function resolveTarget(spec: TargetSpec | string, builds: readonly CompatibleBuild[], kubernetesVersion: string): ResolvedTarget {
  const target = typeof spec === 'string' ? parseTargetSpec(spec) : spec;
  if (builds.length === 0)
    return blocked(PlanBlockCode.NO_COMPATIBLE_BUILD, `no vpc-cni build is offered for Kubernetes ${kubernetesVersion}`);
  switch (target.kind) {
    case 'latest': {
      const newest = [...builds].sort((a, b) => compareVersions(b.version, a.version))[0]!;
      return { ok: true, version: newest.version, symbolic: true };
    }
    case 'default': {
      // docs/eks-behaviour.md#add-on-versions-and-compatibility: exactly one build per clusterVersion is flagged
      // defaultVersion; trust nothing more than that.
      const flagged = builds.filter((b) => b.isDefault).sort((a, b) => compareVersions(b.version, a.version))[0];
      if (!flagged) return blocked(PlanBlockCode.NO_DEFAULT_BUILD, `no vpc-cni build is flagged default for Kubernetes ${kubernetesVersion}`);
      return { ok: true, version: flagged.version, symbolic: true };
    }
    case 'exact': {
      const offered = builds.some((b) => compareVersions(b.version, target.version) === 0);
      // docs/eks-behaviour.md#error-messages: EKS answers "Addon version specified is not supported" for a build not
      // offered to the cluster.
      if (!offered) return blocked(PlanBlockCode.TARGET_NOT_OFFERED, `${target.version} is not offered for Kubernetes ${kubernetesVersion}`);
      return { ok: true, version: target.version, symbolic: false };
    }
  }
}

const blocked = (code: PlanBlock['code'], reason: string): ResolvedTarget => ({ ok: false, blocked: { code, reason } });
