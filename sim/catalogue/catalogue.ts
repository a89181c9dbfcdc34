import facts from '../data/vpc-cni-versions.json' with { type: 'json' };
import type { CompatibleBuild } from '../../lib/versions/compatible-build.js';
import { buildNumbers, byVersion, minorLineOf } from '../versions.js';
import { KUBERNETES_CALENDAR, kubernetesMinor } from './kubernetes-calendar.js';

/** One EKS build of vpc-cni as the simulator offers it. */
export interface CatalogueBuild {
  /** e.g. `v1.12.6-eksbuild.2` */
  readonly version: string;
  /** Upstream release date the rule starts from (`YYYY-MM-DD`). */
  readonly released: string;
  /** Kubernetes minors this build is offered for, ascending: one contiguous window. */
  readonly kubernetesVersions: readonly string[];
  /** Kubernetes minors for which the facts hold direct evidence of compatibility. */
  readonly evidence: readonly string[];
  /** Kubernetes minors for which this build is the `defaultVersion`. */
  readonly defaultFor: readonly string[];
}


export interface Catalogue {
  /** Every build, newest first (DescribeAddonVersions order, facts §7.5). */
  readonly builds: readonly CatalogueBuild[];
  readonly kubernetesVersions: readonly string[];
  /** Builds offered for `kubernetesVersion`, newest first, exactly one flagged default. */
  compatibleBuilds(kubernetesVersion: string): CompatibleBuild[];
  find(version: string): CatalogueBuild | undefined;
}

interface FactsVersion {
  version: string;
  released?: string;
  eksAddonBuilds: { build: string; kubernetesVersions: string[] }[];
}

/** Months a build keeps being offered to Kubernetes minors that reach EKS after its release. */
export const FORWARD_WINDOW_MONTHS = 24;

const addMonths = (isoDate: string, months: number): string => {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

/**
 * The compatibility rule (README, "Compatibility rule"). The facts list only the Kubernetes minors a build
 * was *seen* with (facts §9: "compatibility is per build", evidence "not exhaustive"), so each build gets
 * one contiguous window of Kubernetes minors:
 *  - from the oldest minor still supported by EKS (extended support included) on the build's release day,
 *  - to the newest minor that reached EKS within FORWARD_WINDOW_MONTHS of that day,
 *  - widened to cover every minor the facts saw the build with,
 *  - never below 1.24 for v1.16.0 and v1.16.1 (CNI spec v1.0.0; seeds/000, "Important").
 * This reproduces the AWS tables we have: 1.23's newest build is v1.18.5-eksbuild.1 and v1.19.0-eksbuild.1
 * serves 1.24 to 1.31 (facts §9.1, UG 2024-12).
 */
export function compatibilityWindow(version: string, released: string, evidence: readonly string[]): string[] {
  const forwardLimit = addMonths(released, FORWARD_WINDOW_MONTHS);
  const ruled = KUBERNETES_CALENDAR.filter((k) => k.endOfSupport >= released && k.available <= forwardLimit).map((k) =>
    kubernetesMinor(k.version),
  );
  const seen = evidence.map(kubernetesMinor);
  const all = [...ruled, ...seen];
  let lo = Math.min(...all);
  const hi = Math.max(...all);
  const v = buildNumbers(version);
  if (v && v.major === 1 && v.minor === 16 && v.patch <= 1) lo = Math.max(lo, 24);
  return KUBERNETES_CALENDAR.map((k) => k.version).filter((k) => kubernetesMinor(k) >= lo && kubernetesMinor(k) <= hi);
}

/**
 * The default build for each Kubernetes minor: the newest build of the second-newest minor line offered
 * to it, as EKS flags one release behind its newest (facts §9.1: v1.22.4-eksbuild.3 was the default for
 * 1.36 while v1.23.x was offered). A minor whose window ends before the newest line (it is leaving
 * support) defaults to its newest build, as 1.23 did with v1.18.5-eksbuild.1.
 */
function pickDefaults(builds: readonly { version: string; kubernetesVersions: readonly string[] }[]): Map<string, string> {
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
 * Builds the simulator's catalogue from `sim/data/vpc-cni-versions.json` (a copy of
 * shared/facts/vpc-cni-versions.json): every EKS build named in the facts, with the compatibility rule
 * applied. A build without an upstream release date takes the previous upstream version's date.
 *
 * @example
 * loadCatalogue().compatibleBuilds('1.23')[0] // { version: 'v1.18.5-eksbuild.1', isDefault: true }
 */
export function loadCatalogue(source: readonly FactsVersion[] = facts as FactsVersion[]): Catalogue {
  const ordered = [...source].sort((a, b) => byVersion(a.version, b.version));
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
        kubernetesVersions: compatibilityWindow(build.build, released, build.kubernetesVersions),
      });
    }
  }
  windows.sort((a, b) => byVersion(b.version, a.version));
  const defaults = pickDefaults(windows);
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
