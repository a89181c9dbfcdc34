import { configurationSchemaFor } from '../configuration-schemas.js';
import { EksApiError, invalidParameter, versionNotSupported } from '../eks-api-error.js';
import { VPC_CNI } from '../model.js';
import { paginate } from '../pagination.js';
import type { OperationHandler } from './context.js';

// docs/eks-behaviour.md#add-on-versions-and-compatibility: what EKS reports for vpc-cni in DescribeAddonVersions.
const ADDON_INFO = { addonName: VPC_CNI, type: 'networking', owner: 'aws', publisher: 'eks', defaultNamespace: 'kube-system' } as const;

/**
 * DescribeAddonVersions (docs/eks-behaviour.md#add-on-versions-and-compatibility): vpc-cni's builds newest first; with
 * `kubernetesVersion`, only the builds offered for it, each with that one compatibility entry, exactly one flagged
 * `defaultVersion`. Filters `addonName`, `types`, `publishers`, `owners` that exclude vpc-cni give an empty list.
 *
 * Pagination: real EKS counts add-ons against `maxResults` and, with one add-on, would never page. The
 * simulator counts *addonVersions* instead, so a page holds at most `maxResults` versions inside one
 * vpc-cni AddonInfo and the next page continues the list. A client that follows `nextToken` and joins
 * `addons[].addonVersions` (the SDK paginator does) reads the same list from both; one that reads only the
 * first page is caught here (unfiltered, the 100 default is less than the catalogue).
 */
export const describeAddonVersions: OperationHandler = ({ world, query }) => {
  const addonName = query.get('addonName');
  const kubernetesVersion = query.get('kubernetesVersion');
  const filters: [string[], string][] = [
    [query.getAll('types'), ADDON_INFO.type],
    [query.getAll('publishers'), ADDON_INFO.publisher],
    [query.getAll('owners'), ADDON_INFO.owner],
  ];
  const included = (addonName === null || addonName === VPC_CNI) && filters.every(([wanted, ours]) => wanted.length === 0 || wanted.includes(ours));
  const builds = included ? world.catalogue.builds.filter((b) => kubernetesVersion === null || b.kubernetesVersions.includes(kubernetesVersion)) : [];
  const versions = builds.map((b) => ({
    addonVersion: b.version,
    architecture: ['amd64', 'arm64'],
    computeTypes: ['ec2', 'auto', 'hybrid'],
    compatibilities: (kubernetesVersion === null ? b.kubernetesVersions : [kubernetesVersion]).map((k) => ({
      clusterVersion: k,
      platformVersions: ['*'],
      defaultVersion: b.defaultFor.includes(k),
    })),
    requiresConfiguration: false,
    requiresIamPermissions: true,
  }));
  const page = paginate(versions, query, `DescribeAddonVersions/${addonName ?? ''}/${kubernetesVersion ?? ''}/${included}`);
  return { addons: page.items.length > 0 ? [{ ...ADDON_INFO, addonVersions: page.items }] : [], nextToken: page.nextToken };
};

/**
 * DescribeAddonConfiguration (docs/vpc-cni-settings.md#the-configuration-schema): the build's JSON schema as a string,
 * and the service account vpc-cni's pod identity uses. Error texts UNVERIFIED.
 */
export const describeAddonConfiguration: OperationHandler = ({ world, query }) => {
  const addonName = query.get('addonName');
  const addonVersion = query.get('addonVersion');
  if (!addonName) throw invalidParameter('addonName is a required parameter.');
  if (!addonVersion) throw invalidParameter('addonVersion is a required parameter.', { addonName });
  if (addonName !== VPC_CNI) throw new EksApiError('ResourceNotFoundException', `No addon: ${addonName} found.`, { addonName });
  if (!world.catalogue.find(addonVersion)) throw versionNotSupported(undefined, addonName);
  return {
    addonName,
    addonVersion,
    configurationSchema: configurationSchemaFor(addonVersion),
    podIdentityConfiguration: [{ serviceAccount: 'aws-node', recommendedManagedPolicies: ['arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy'] }],
  };
};
