/**
 * A build as DescribeAddonVersions reports it for one Kubernetes version: `addonVersion` and that
 * version's `compatibilities[].defaultVersion` (docs/eks-behaviour.md#add-on-versions-and-compatibility).
 */
export interface CompatibleBuild {
  readonly version: string;
  readonly isDefault: boolean;
}
