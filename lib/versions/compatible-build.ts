/**
 * A build as DescribeAddonVersions reports it for one Kubernetes version: `addonVersion` and that
 * version's `compatibilities[].defaultVersion` (facts §3, AddonVersionInfo/Compatibility).
 */
export interface CompatibleBuild {
  readonly version: string;
  readonly isDefault: boolean;
}
