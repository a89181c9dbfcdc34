import { DescribeAddonCommand, DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { Addon, Cluster, EKSClient } from '@aws-sdk/client-eks';
import { credentialsOf } from '../aws/clients.js';
import { isNotFound } from '../aws/eks-errors.js';
import { isCniFleetError } from '../errors.js';
import { connectCluster } from '../kubernetes/cluster-reader.js';
import { readSelfManaged } from '../migration/read-self-managed.js';
import { newCatalogueCache } from '../steps/step-deps.js';
import { ADDON_NAME, offeredBuilds } from '../steps/eks-catalogue.js';
import type { BuildsFor, ClusterFacts } from './cluster-facts.js';
import { mapConcurrent } from './map-concurrent.js';
import { accountOfArn } from '../fleet/names.js';

/** A cluster ListClusters named but that could not be planned, and why. */
export interface SkippedCluster {
  readonly name: string;
  readonly region: string;
  readonly reason: string;
}

export interface AwsFleet {
  readonly region: string;
  readonly clusters: readonly ClusterFacts[];
  readonly skipped: readonly SkippedCluster[];
}

export interface ReadAwsFleetOptions {
  /** DescribeCluster/DescribeAddon calls in flight at once. Default 5: the SDK retries throttling (facts §1). */
  readonly concurrency?: number;
}

// ARN format arn:<partition>:eks:<region>:<account>:cluster/<name> (facts §3, Cluster.arn).

/**
 * Reads, without changing anything, the vpc-cni facts of every cluster in the client's account and Region:
 * ListClusters (every page) → DescribeCluster → DescribeAddon(vpc-cni). A cluster whose DescribeCluster answers
 * 404 is skipped (ListClusters can name "ghost" clusters being deleted: facts §7.5); a DescribeAddon 404 means no
 * managed add-on (facts §7.2). Other errors propagate.
 *
 * @param eks a client built by the caller (its region, credentials and endpoint choose the target)
 * @example
 * const eks = new EKSClient({ region: 'eu-west-1' });
 * const fleet = await readAwsFleet(eks);
 * const plan = await planFleet(fleet.clusters, { target: 'default', buildsFor: awsBuildsFor(eks) });
 */
export async function readAwsFleet(eks: EKSClient, options: ReadAwsFleetOptions = {}): Promise<AwsFleet> {
  const region = await eks.config.region();
  const names: string[] = [];
  for await (const page of paginateListClusters({ client: eks }, {})) names.push(...(page.clusters ?? []));

  const read = await mapConcurrent(names, options.concurrency ?? 5, async (name): Promise<ClusterFacts | SkippedCluster> => {
    let cluster: Cluster | undefined;
    try {
      ({ cluster } = await eks.send(new DescribeClusterCommand({ name })));
    } catch (error) {
      if (isNotFound(error)) return { name, region, reason: 'listed by ListClusters, but DescribeCluster answered ResourceNotFoundException' };
      throw error;
    }
    if (!cluster?.version) return { name, region, reason: 'DescribeCluster returned no Kubernetes version' };
    let addon: Addon | undefined;
    try {
      ({ addon } = await eks.send(new DescribeAddonCommand({ clusterName: name, addonName: ADDON_NAME })));
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // facts §7.2: the same 404 says "No cluster found for name" when the cluster went away between the two calls.
      if (/no cluster found/i.test((error as Error).message))
        return { name, region, reason: 'deleted while being read (DescribeAddon: No cluster found)' };
    }
    const accountId = accountOfArn(cluster.arn);
    const key = `${accountId ?? 'unknown-account'}/${region}/${name}`;
    // No managed add-on: the self-managed aws-node DaemonSet, read-only through the cluster's Kubernetes API (issue #6).
    let selfManaged: Pick<ClusterFacts, 'selfManagedVersion' | 'selfManagedSettings'> = {};
    if (!addon && !cluster.computeConfig?.enabled) {
      try {
        const reader = await connectCluster({ name, region, key, endpoint: cluster.endpoint ?? '', certificateAuthority: cluster.certificateAuthority?.data }, credentialsOf(eks));
        const install = await readSelfManaged(reader, { name, key });
        selfManaged = { selfManagedVersion: install.version, selfManagedSettings: install.translation };
      } catch (error) {
        if (!isCniFleetError(error)) throw error;
        return { name, region, reason: `no managed add-on, and the aws-node DaemonSet could not be migrated: ${error.message}` };
      }
    }
    return {
      name,
      region,
      ...(accountId ? { accountId } : {}),
      kubernetesVersion: cluster.version,
      ...(cluster.status ? { status: cluster.status } : {}),
      tags: cluster.tags ?? {},
      autoMode: cluster.computeConfig?.enabled === true,
      ...(addon?.addonVersion ? { addonVersion: addon.addonVersion } : {}),
      ...(addon?.status ? { addonStatus: addon.status } : {}),
      ...(addon ? { configurationValues: addon.configurationValues ?? null, addonIssues: (addon.health?.issues ?? []).map((i) => ({ code: i.code ?? '', message: i.message ?? '' })) } : {}),
      ...selfManaged,
    };
  });
  return {
    region,
    clusters: read.filter((r): r is ClusterFacts => 'kubernetesVersion' in r),
    skipped: read.filter((r): r is SkippedCluster => 'reason' in r),
  };
}

/**
 * DescribeAddonVersions(vpc-cni, kubernetesVersion) through `eks`, every page, newest first; planFleet calls it
 * once per Kubernetes version.
 *
 * @example
 * await awsBuildsFor(eks)('1.29') // [{ version: 'v1.21.1-eksbuild.8', isDefault: false }, …]
 */
export function awsBuildsFor(eks: EKSClient): BuildsFor {
  const cache = newCatalogueCache();
  return (kubernetesVersion) => offeredBuilds(eks, cache, kubernetesVersion, Date.now());
}
