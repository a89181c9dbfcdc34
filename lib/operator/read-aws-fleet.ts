import { DescribeAddonCommand, DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { Addon, Cluster, EKSClient } from '@aws-sdk/client-eks';
import { credentialsOf } from '../aws/clients.js';
import { eksErrorName, isNotFound } from '../aws/eks-errors.js';
import { isCniFleetError } from '../errors.js';
import { safeText } from '../cli/terminal-text.js';
import { connectCluster } from '../kubernetes/cluster-reader.js';
import { readSelfManaged } from '../steps/read-self-managed.js';
import { newCatalogueCache, offeredBuilds } from '../addon/eks-catalogue.js';
import { addonSpec } from '../addon-spec.js';
import type { BuildsFor, ClusterFacts, SkippedCluster, UnreadableCluster } from '../plan/cluster-facts.js';
import { mapConcurrent } from '../concurrency/map-concurrent.js';
import { accountOfArn } from '../fleet/names.js';

export interface AwsFleet {
  readonly clusters: readonly ClusterFacts[];
  readonly skipped: readonly SkippedCluster[];
  readonly unreadable: readonly UnreadableCluster[];
}

/** One cluster named in an execution input's `clusters` (or `cluster`). */
export interface PlanTarget {
  readonly name: string;
  readonly region: string;
  readonly accountId?: string | undefined;
  readonly roleArn?: string | undefined;
}

/** Discovery as an execution input's `selector` has it. */
export interface PlanSelector {
  readonly regions: readonly string[];
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly accounts?: readonly { readonly accountId: string; readonly roleArn: string }[] | undefined;
  readonly namePrefix?: string | undefined;
}

/** What to read: the same members an execution input has. The opt-out tag is the plan's to apply (planFleet). */
export interface PlanScope {
  readonly clusters?: readonly PlanTarget[] | undefined;
  readonly selector?: PlanSelector | undefined;
  /** The add-on to read (an execution input's `addon`); absent: the input's default, vpc-cni. */
  readonly addon?: string | undefined;
}

/**
 * The EKS client that reads a Region as the operator, or through a role (another account): the command line's
 * credentials, endpoint and profile (lib/aws/clients.ts, createCliEksFactory).
 */
export type EksReader = (target: { readonly region: string; readonly roleArn?: string | undefined }) => EKSClient;

export interface ReadAwsFleetOptions {
  /**
   * DescribeCluster/DescribeAddon reads in flight at once. Default 10: the SDK retries throttling
   * (docs/eks-behaviour.md#sdk-retries).
   */
  readonly concurrency?: number;
  /** Account and Region pairs listed at once (ListClusters). Default 8. */
  readonly scopeConcurrency?: number;
}

const failure = (error: unknown): UnreadableCluster['error'] => ({
  name: eksErrorName(error) ?? (error instanceof Error ? error.name : 'Error'),
  message: safeText(error instanceof Error ? error.message : String(error), { oneLine: true }),
});

type Read = { readonly facts: ClusterFacts } | { readonly skipped: SkippedCluster } | { readonly unreadable: UnreadableCluster } | { readonly filtered: true };

/**
 * Reads one cluster, without changing anything: DescribeCluster → (the selector's tags) → DescribeAddon(the add-on) →
 * for a cluster without the managed add-on, the self-managed aws-node DaemonSet through its Kubernetes API. A 404 on
 * DescribeCluster is a ghost (ListClusters can name clusters being deleted: docs/eks-behaviour.md#listclusters-ghosts);
 * any other failure is an error row for this cluster alone.
 */
async function readCluster(eks: EKSClient, target: PlanTarget, scope: PlanScope): Promise<Read> {
  const { name, region } = target;
  const accountId = target.accountId ?? null;
  let cluster: Cluster | undefined;
  try {
    ({ cluster } = await eks.send(new DescribeClusterCommand({ name })));
  } catch (error) {
    if (isNotFound(error)) return { skipped: { name, region, ...(target.accountId ? { accountId: target.accountId } : {}), reason: 'DescribeCluster found no such cluster' } };
    return { unreadable: { name, region, accountId, operation: 'DescribeCluster', error: failure(error) } };
  }
  const tags = cluster?.tags ?? {};
  if (Object.entries(scope.selector?.tags ?? {}).some(([k, v]) => tags[k] !== v)) return { filtered: true };
  const account = target.accountId ?? accountOfArn(cluster?.arn);
  if (!cluster?.version) return { unreadable: { name, region, accountId: account ?? null, operation: 'DescribeCluster', error: { name: 'IncompleteResponse', message: 'DescribeCluster returned no Kubernetes version' } } };
  let addon: Addon | undefined;
  try {
    ({ addon } = await eks.send(new DescribeAddonCommand({ clusterName: name, addonName: addonSpec(scope.addon).name })));
  } catch (error) {
    if (!isNotFound(error)) return { unreadable: { name, region, accountId: account ?? null, operation: 'DescribeAddon', error: failure(error) } };
    // docs/eks-behaviour.md#error-messages: the same 404 says "No cluster found for name" when the cluster went away
    // between the two calls.
    if (/no cluster found/i.test((error as Error).message)) return { skipped: { name, region, ...(account ? { accountId: account } : {}), reason: 'deleted while being read (DescribeAddon: No cluster found)' } };
  }
  const key = `${account ?? 'unknown-account'}/${region}/${name}`;
  // No managed add-on: the self-managed aws-node DaemonSet, read-only through the cluster's Kubernetes API.
  let selfManaged: Pick<ClusterFacts, 'selfManagedVersion' | 'selfManagedSettings'> = {};
  if (!addon && !cluster.computeConfig?.enabled) {
    try {
      const reader = await connectCluster({ name, region, key, endpoint: cluster.endpoint ?? '', certificateAuthority: cluster.certificateAuthority?.data }, credentialsOf(eks));
      const install = await readSelfManaged(reader, { name, key });
      selfManaged = { selfManagedVersion: install.version, selfManagedSettings: install.translation };
    } catch (error) {
      if (!isCniFleetError(error)) return { unreadable: { name, region, accountId: account ?? null, operation: 'Kubernetes API', error: failure(error) } };
      return { skipped: { name, region, ...(account ? { accountId: account } : {}), reason: `no managed add-on, and the aws-node DaemonSet could not be migrated: ${safeText(error.message, { oneLine: true })}` } };
    }
  }
  return {
    facts: {
      name,
      region,
      ...(account ? { accountId: account } : {}),
      kubernetesVersion: cluster.version,
      ...(cluster.status ? { status: cluster.status } : {}),
      tags,
      autoMode: cluster.computeConfig?.enabled === true,
      ...(addon?.addonVersion ? { addonVersion: addon.addonVersion } : {}),
      ...(addon?.status ? { addonStatus: addon.status } : {}),
      ...(addon ? { configurationValues: addon.configurationValues ?? null, addonIssues: (addon.health?.issues ?? []).map((i) => ({ code: safeText(i.code ?? ''), message: safeText(i.message ?? '', { oneLine: true }) })) } : {}),
      ...selfManaged,
    },
  };
}

/**
 * Reads, without changing anything, the vpc-cni facts of the clusters an execution input names: its `clusters`
 * list, or its `selector` — ListClusters in every Region of every account (through the account's role), filtered
 * by name prefix and tags. Whether a cluster is then left alone (opted out, Auto Mode, a broken add-on…) is the
 * plan's decision (lib/plan/cluster-decision.ts), from the facts read here. Accounts and Regions are listed in parallel, clusters read ten at a time. Nothing fails
 * the whole read: a cluster that cannot be described, or an account and Region that cannot be listed (a role that
 * cannot be assumed, throttling past the SDK's retries), becomes an error row and the others are still read.
 *
 * @param eksFor builds the EKS client of a Region and role (the caller's credentials, endpoint and profile)
 * @example
 * const fleet = await readAwsFleet(eksFor, { selector: { regions: ['eu-west-1', 'us-east-1'] } });
 * const plan = await planFleet(fleet.clusters, { target: 'default', buildsFor: awsBuildsFor(eksFor) });
 */
export async function readAwsFleet(eksFor: EksReader, scope: PlanScope, options: ReadAwsFleetOptions = {}): Promise<AwsFleet> {
  const unreadable: UnreadableCluster[] = [];
  let targets: PlanTarget[] = [...(scope.clusters ?? [])];
  if (scope.selector) {
    const selector = scope.selector;
    const accounts: { accountId?: string; roleArn?: string }[] = selector.accounts?.map((a) => ({ ...a })) ?? [{}];
    const pairs = accounts.flatMap((account) => selector.regions.map((region) => ({ ...account, region })));
    const listed = await mapConcurrent(pairs, options.scopeConcurrency ?? 8, async (pair): Promise<PlanTarget[]> => {
      const names: string[] = [];
      try {
        for await (const page of paginateListClusters({ client: eksFor({ region: pair.region, roleArn: pair.roleArn }) }, {})) names.push(...(page.clusters ?? []));
      } catch (error) {
        unreadable.push({ name: null, region: pair.region, accountId: pair.accountId ?? null, operation: 'ListClusters', error: failure(error) });
        return [];
      }
      return names.filter((n) => !selector.namePrefix || n.startsWith(selector.namePrefix)).map((name) => ({ name, region: pair.region, accountId: pair.accountId, roleArn: pair.roleArn }));
    });
    targets = listed.flat();
  }
  const reads = await mapConcurrent(targets, options.concurrency ?? 10, (t) => readCluster(eksFor({ region: t.region, roleArn: t.roleArn }), t, scope));
  return {
    clusters: reads.flatMap((r) => ('facts' in r ? [r.facts] : [])),
    skipped: reads.flatMap((r) => ('skipped' in r ? [r.skipped] : [])),
    unreadable: [...unreadable, ...reads.flatMap((r) => ('unreadable' in r ? [r.unreadable] : []))],
  };
}

/**
 * DescribeAddonVersions(the add-on, default vpc-cni; kubernetesVersion), every page, newest first, through the client of `region`;
 * planFleet calls it once per Kubernetes version.
 *
 * @example
 * await awsBuildsFor(eksFor, 'eu-west-1')('1.29') // [{ version: 'v1.21.1-eksbuild.8', isDefault: false }, …]
 */
export function awsBuildsFor(eksFor: EksReader, region: string, addon?: string): BuildsFor {
  const cache = newCatalogueCache();
  const addonName = addonSpec(addon).name;
  return (kubernetesVersion) => offeredBuilds(eksFor({ region }), cache, kubernetesVersion, Date.now(), addonName);
}
