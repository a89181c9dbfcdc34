/**
 * The EKS add-on cni-fleet manages, named once: every EKS call about the add-on (DescribeAddon, UpdateAddon,
 * CreateAddon, DescribeAddonVersions, DescribeAddonConfiguration, ListUpdates, DescribeUpdate) takes its name from
 * here. The IAM policies in serverless.yml grant the add-on calls on `addon/<cluster>/vpc-cni/*` only.
 */
export const ADDON_NAME = 'vpc-cni';
