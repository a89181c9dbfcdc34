import { DescribeAddonConfigurationCommand, paginateDescribeAddonVersions } from '@aws-sdk/client-eks';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { CompatibleBuild } from '../versions/compatible-build.js';
import { compareVersions } from '../versions/compare-versions.js';
import { isVersion } from '../versions/parse-version.js';
import { translateEksError } from '../aws/eks-errors.js';

/**
 * DescribeAddonVersions per add-on and Kubernetes version, DescribeAddonConfiguration per add-on build: same answer all
 * run long.
 */
export interface CatalogueCache {
  readonly builds: Map<string, { at: number; builds: readonly CompatibleBuild[] }>;
  readonly schemas: Map<string, string>;
}

export const newCatalogueCache = (): CatalogueCache => ({ builds: new Map(), schemas: new Map() });

// New builds appear over days, not minutes; ten minutes bounds how stale a warm container's list can be.
const BUILDS_TTL_MS = 10 * 60 * 1000;

/**
 * The builds of one add-on (its spec's name) EKS offers for one Kubernetes version, newest first, with the default flagged
 * (DescribeAddonVersions with kubernetesVersion: docs/eks-behaviour.md#add-on-versions-and-compatibility), cached per
 * container; concurrent misses for the same Region and Kubernetes version share one read (single-flight), so the number
 * of reads does not depend on timing.
 *
 * @example
 * await offeredBuilds(eks, cache, '1.29', Date.now(), 'vpc-cni') // [{ version: 'v1.21.1-eksbuild.8', isDefault: false }, …]
 */
export async function offeredBuilds(eks: EKSClient, cache: CatalogueCache, kubernetesVersion: string, nowMs: number, addonName: string): Promise<readonly CompatibleBuild[]> {
  const key = `${addonName}|${String(await eks.config.region())}|${kubernetesVersion}`;
  const hit = cache.builds.get(key);
  if (hit && nowMs - hit.at < BUILDS_TTL_MS) return hit.builds;
  return singleFlight(cache, `builds|${key}`, () => readBuilds(eks, cache, key, addonName, kubernetesVersion, nowMs));
}

/** Reads in flight per cache: concurrent misses for the same key share one read, whatever their timing. */
const inFlight = new WeakMap<CatalogueCache, Map<string, Promise<unknown>>>();

function singleFlight<T>(cache: CatalogueCache, key: string, read: () => Promise<T>): Promise<T> {
  const reads = inFlight.get(cache) ?? new Map<string, Promise<unknown>>();
  inFlight.set(cache, reads);
  const pending = reads.get(key) as Promise<T> | undefined;
  if (pending) return pending;
  const started = read().finally(() => reads.delete(key));
  reads.set(key, started);
  return started;
}

async function readBuilds(eks: EKSClient, cache: CatalogueCache, key: string, addonName: string, kubernetesVersion: string, nowMs: number): Promise<readonly CompatibleBuild[]> {
  const builds: CompatibleBuild[] = [];
  try {
    for await (const page of paginateDescribeAddonVersions({ client: eks }, { addonName, kubernetesVersion })) {
      for (const addon of page.addons ?? []) {
        for (const v of addon.addonVersions ?? []) {
          if (!v.addonVersion || !isVersion(v.addonVersion)) continue;
          const compat = (v.compatibilities ?? []).find((c) => c.clusterVersion === kubernetesVersion);
          if (!compat) continue;
          builds.push({ version: v.addonVersion, isDefault: compat.defaultVersion === true });
        }
      }
    }
  } catch (error) {
    translateEksError(error);
  }
  builds.sort((a, b) => compareVersions(b.version, a.version));
  cache.builds.set(key, { at: nowMs, builds });
  return builds;
}

/** The configuration JSON schema (a string) of one build, cached per container: a build's schema never changes. */
export async function configurationSchema(eks: EKSClient, cache: CatalogueCache, addonVersion: string, addonName: string): Promise<string> {
  const key = `${addonName}|${addonVersion}`;
  const hit = cache.schemas.get(key);
  if (hit !== undefined) return hit;
  return singleFlight(cache, `schema|${key}`, () => readSchema(eks, cache, key, addonName, addonVersion));
}

async function readSchema(eks: EKSClient, cache: CatalogueCache, key: string, addonName: string, addonVersion: string): Promise<string> {
  try {
    const out = await eks.send(new DescribeAddonConfigurationCommand({ addonName, addonVersion }));
    const schema = out.configurationSchema ?? '{}';
    cache.schemas.set(key, schema);
    return schema;
  } catch (error) {
    return translateEksError(error);
  }
}
