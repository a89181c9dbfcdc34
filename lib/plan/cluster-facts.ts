import type { Translation } from '../migration/translate-settings.js';
import type { CompatibleBuild } from '../versions/compatible-build.js';

/**
 * What the planner needs to know about one cluster, whichever source it came from (a fleet file, or AWS
 * read-only). At most one of `addonVersion` and `selfManagedVersion` is set.
 */
export interface ClusterFacts {
  readonly name: string;
  readonly region: string;
  readonly accountId?: string;
  /** The cluster's Kubernetes minor (`DescribeCluster` `cluster.version`), e.g. `1.29`. */
  readonly kubernetesVersion: string;
  /** ClusterStatus, e.g. `ACTIVE` (docs/eks-behaviour.md#statuses). */
  readonly status?: string;
  /** The cluster's tags (DescribeCluster): the fleet's opt-out tag is one of them. */
  readonly tags?: Readonly<Record<string, string>>;
  /** EKS Auto Mode (`computeConfig.enabled`): Auto Mode runs the VPC CNI itself. */
  readonly autoMode?: boolean;
  /** Every node is a Fargate node (the cluster's Kubernetes API, or a fleet file's `compute`). */
  readonly fargateOnly?: boolean;
  /** The managed add-on's `addonVersion`, an EKS build. */
  readonly addonVersion?: string;
  /** The managed add-on's AddonStatus, e.g. `ACTIVE` or `UPDATE_FAILED` (docs/eks-behaviour.md#statuses). */
  readonly addonStatus?: string;
  /** The managed add-on's health issues (DescribeAddon `health.issues`). */
  readonly addonIssues?: readonly { readonly code: string; readonly message: string }[];
  /** The managed add-on's configurationValues: checked against every build on the path. */
  readonly configurationValues?: string | null;
  /** The image tag of a self-managed `aws-node` DaemonSet: a plain upstream tag or an EKS build. */
  readonly selfManagedVersion?: string;
  /** A self-managed DaemonSet's custom settings translated for the managed add-on (lib/migration). */
  readonly selfManagedSettings?: Translation;
}

/** DescribeAddonConfiguration's schema text of one build (docs/vpc-cni-settings.md#the-configuration-schema). */
export type SchemaFor = (addonVersion: string) => Promise<string>;

/**
 * The builds DescribeAddonVersions offers for one Kubernetes version, newest first
 * (docs/eks-behaviour.md#add-on-versions-and-compatibility).
 */
export type BuildsFor = (kubernetesVersion: string) => Promise<readonly CompatibleBuild[]>;

/** A cluster that was listed but could not be planned, and why (a ghost; a DaemonSet that cannot be read as vpc-cni). */
export interface SkippedCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId?: string;
  readonly reason: string;
}

/**
 * A cluster — or a whole account and Region, when `name` is null — that could not be read: an error row of the
 * plan, while every other cluster is still planned.
 */
export interface UnreadableCluster {
  readonly name: string | null;
  readonly region: string;
  readonly accountId: string | null;
  /** The call that failed, e.g. `DescribeCluster` or `ListClusters`. */
  readonly operation: string;
  readonly error: { readonly name: string; readonly message: string };
}
