import facts from './vpc-cni-versions.json' with { type: 'json' };
import type { CompatibleBuild } from '../../versions/compatible-build.js';
import { KUBERNETES_CALENDAR, kubernetesMinor } from './kubernetes-calendar.js';

// The offline catalogue is the EKS offering as far as it is known without an AWS account: the simulator serves
// it, and `cni-fleet plan --fleet` plans against it. It takes its version arithmetic from its caller, so the
// simulator builds it with its own rules (sim/versions.ts) and the product with its own (lib/versions/): neither
// agrees with the other by sharing code.

/** The version arithmetic the catalogue needs, supplied by whoever builds it. */
export interface VersionRules {
  /** Negative when `a` is older, 0 when equal, positive when newer (plain tags sort before their builds). */
  compare(a: string, b: string): number;
  /** The minor line of a build, as any text equal for equal lines (`1.12` or `v1.12`). */
  minorLine(version: string): string;
}

/** One EKS build of vpc-cni as the offline catalogue offers it. */
export interface CatalogueBuild {
  /** e.g. `v1.12.6-eksbuild.2` */
  readonly version: string;
  /** Upstream release date the rule starts from (`YYYY-MM-DD`). */
  readonly released: string;
  /** Kubernetes minors this build is offered for, ascending: one contiguous window. */
  readonly kubernetesVersions: readonly string[];
  /** Kubernetes minors with direct public evidence of compatibility. */
  readonly evidence: readonly string[];
  /** Kubernetes minors for which this build is the `defaultVersion`. */
  readonly defaultFor: readonly string[];
}


export interface Catalogue {
  /**
   * Every build, newest first (DescribeAddonVersions order: docs/eks-behaviour.md#add-on-versions-and-compatibility).
   */
  readonly builds: readonly CatalogueBuild[];
  readonly kubernetesVersions: readonly string[];
  /** Builds offered for `kubernetesVersion`, newest first, exactly one flagged default. */
  compatibleBuilds(kubernetesVersion: string): CompatibleBuild[];
  find(version: string): CatalogueBuild | undefined;
}

export interface FactsVersion {
  version: string;
  released?: string;
  eksAddonBuilds: { build: string; kubernetesVersions: string[] }[];
}

/** Months a build keeps being offered to Kubernetes minors that reach EKS after its release. */
const FORWARD_WINDOW_MONTHS = 24;

const addMonths = (isoDate: string, months: number): string => {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

/**
 * The compatibility rule (docs/simulator.md#compatibility-rule). The evidence lists only the Kubernetes minors a build
 * was *seen* with (compatibility is per build and the evidence is not exhaustive:
 * docs/eks-behaviour.md#vpc-cni-versions-and-builds), so each build gets one contiguous window of Kubernetes minors:
 *  - from the oldest minor still supported by EKS (extended support included) on the build's release day,
 *  - to the newest minor that reached EKS within FORWARD_WINDOW_MONTHS of that day,
 *  - widened to cover every minor the evidence saw the build with,
 *  - never below 1.24 for v1.16.0 and v1.16.1 (CNI spec v1.0.0; docs/eks-behaviour.md#vpc-cni-versions-and-builds).
 * This reproduces the AWS tables we have: 1.23's newest build is v1.18.5-eksbuild.1 and v1.19.0-eksbuild.1
 * serves 1.24 to 1.31 (the User Guide of 2024-12; docs/eks-behaviour.md#vpc-cni-versions-and-builds).
 */
function compatibilityWindow(rules: VersionRules, version: string, released: string, evidence: readonly string[]): string[] {
  const forwardLimit = addMonths(released, FORWARD_WINDOW_MONTHS);
  const ruled = KUBERNETES_CALENDAR.filter((k) => k.endOfSupport >= released && k.available <= forwardLimit).map((k) =>
    kubernetesMinor(k.version),
  );
  const seen = evidence.map(kubernetesMinor);
  const all = [...ruled, ...seen];
  let lo = Math.min(...all);
  const hi = Math.max(...all);
  if (rules.compare(version, 'v1.16.0') >= 0 && rules.compare(version, 'v1.16.2') < 0) lo = Math.max(lo, 24);
  return KUBERNETES_CALENDAR.map((k) => k.version).filter((k) => kubernetesMinor(k) >= lo && kubernetesMinor(k) <= hi);
}

/**
 * The default build for each Kubernetes minor: the newest build of the second-newest minor line offered
 * to it, as EKS flags one release behind its newest (docs/eks-behaviour.md#vpc-cni-versions-and-builds:
 * v1.22.4-eksbuild.3 was the default for 1.36 while v1.23.x was offered). A minor whose window ends before the newest
 * line (it is leaving support) defaults to its newest build, as 1.23 did with v1.18.5-eksbuild.1.
 */
function pickDefaults(rules: VersionRules, builds: readonly { version: string; kubernetesVersions: readonly string[] }[]): Map<string, string> {
  const minorLineOf = (version: string): string => rules.minorLine(version);
  // `builds` is newest first, so its first build is of the newest minor line.
  const newestLine = builds[0] ? minorLineOf(builds[0].version) : undefined;
  const defaults = new Map<string, string>();
  for (const { version: k8s } of KUBERNETES_CALENDAR) {
    const offered = builds.filter((b) => b.kubernetesVersions.includes(k8s)); // newest first
    if (offered.length === 0) continue;
    const lines = [...new Set(offered.map((b) => minorLineOf(b.version)))];
    const topLine = lines[0]!;
    const line = topLine === newestLine && lines.length > 1 ? lines[1]! : topLine;
    defaults.set(k8s, offered.find((b) => minorLineOf(b.version) === line)!.version);
  }
  return defaults;
}

/**
 * Builds the offline catalogue from `vpc-cni-versions.json` beside this file: every EKS build seen in
 * public sources, with its evidence and the compatibility rule applied. A build without an upstream release date takes
 * the previous upstream version's date.
 *
 * @example
 * loadOfflineCatalogue({ compare: compareVersions, minorLine }).compatibleBuilds('1.23')[0] // { version: 'v1.18.5-eksbuild.1', isDefault: true }
 */
export function loadOfflineCatalogue(rules: VersionRules, source: readonly FactsVersion[] = facts as FactsVersion[]): Catalogue {
  const ordered = [...source].sort((a, b) => rules.compare(a.version, b.version));
  const windows: { version: string; released: string; kubernetesVersions: string[]; evidence: string[] }[] = [];
  let lastDate = '2020-01-01';
  for (const upstream of ordered) {
    const released = upstream.released ?? lastDate;
    lastDate = released;
    for (const build of upstream.eksAddonBuilds) {
      windows.push({
        version: build.build,
        released,
        evidence: [...build.kubernetesVersions],
        kubernetesVersions: compatibilityWindow(rules, build.build, released, build.kubernetesVersions),
      });
    }
  }
  windows.sort((a, b) => rules.compare(b.version, a.version));
  const defaults = pickDefaults(rules, windows);
  const builds: CatalogueBuild[] = windows.map((w) => ({
    ...w,
    defaultFor: [...defaults].filter(([, v]) => v === w.version).map(([k]) => k),
  }));
  const byName = new Map(builds.map((b) => [b.version, b]));
  return {
    builds,
    kubernetesVersions: KUBERNETES_CALENDAR.map((k) => k.version),
    compatibleBuilds: (k8s) =>
      builds.filter((b) => b.kubernetesVersions.includes(k8s)).map((b) => ({ version: b.version, isDefault: b.defaultFor.includes(k8s) })),
    find: (version) => byName.get(version),
  };
}
