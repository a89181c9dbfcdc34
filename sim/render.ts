import { clusterStatus } from './lifecycle.js';
import type { SimAddon, SimCluster, SimPodIdentityAssociation, SimUpdate } from './model.js';
import { epochSeconds } from './wire.js';
import { hexOf } from '../lib/stable-id.js';

// Wire shapes (docs/eks-behaviour.md#shapes-and-limits). Real EKS sends explicit nulls for absent members and both
// clients drop them (docs/eks-behaviour.md#explicit-nulls), so the simulator does the same where EKS was seen doing it.

/** The Addon structure. */
export function renderAddon(cluster: SimCluster, addon: SimAddon): Record<string, unknown> {
  const { settings } = addon;
  return {
    addonName: addon.addonName,
    clusterName: cluster.name,
    status: addon.status,
    addonVersion: settings.addonVersion,
    health: { issues: addon.issues.map((i) => ({ code: i.code, message: i.message, resourceIds: i.resourceIds })) },
    addonArn: addon.addonArn,
    createdAt: epochSeconds(addon.createdAt),
    modifiedAt: epochSeconds(addon.modifiedAt),
    serviceAccountRoleArn: settings.serviceAccountRoleArn ?? null,
    tags: addon.tags,
    publisher: 'eks',
    owner: 'aws',
    marketplaceInformation: null,
    // Returned verbatim; YAML stays YAML (docs/vpc-cni-settings.md#configurationvalues).
    ...(settings.configurationValues !== undefined ? { configurationValues: settings.configurationValues } : {}),
    podIdentityAssociations: settings.podIdentityAssociations.map((p) => p.associationArn),
  };
}

/**
 * The PodIdentityAssociation structure of an association the add-on owns: `ownerArn` is the add-on's ARN,
 * the namespace the add-on's (kube-system), the id the ARN's last segment.
 */
export function renderPodIdentityAssociation(cluster: SimCluster, addon: SimAddon, association: SimPodIdentityAssociation): Record<string, unknown> {
  return {
    clusterName: cluster.name,
    namespace: 'kube-system',
    serviceAccount: association.serviceAccount,
    roleArn: association.roleArn,
    associationArn: association.associationArn,
    associationId: association.associationArn.slice(association.associationArn.lastIndexOf('/') + 1),
    tags: {},
    createdAt: epochSeconds(association.createdAt),
    modifiedAt: epochSeconds(association.modifiedAt),
    ownerArn: addon.addonArn,
  };
}

/** The Update structure. */
export function renderUpdate(update: SimUpdate): Record<string, unknown> {
  return {
    id: update.id,
    status: update.status,
    type: update.type,
    params: update.params.map((p) => ({ type: p.type, value: p.value })),
    createdAt: epochSeconds(update.createdAt),
    errors: update.errors.map((e) => ({ errorCode: e.errorCode, errorMessage: e.errorMessage, resourceIds: e.resourceIds })),
  };
}

/**
 * The Cluster structure with the members the upgrader reads (docs/eks-behaviour.md#the-cluster-object), plus the usual
 * rest so that tools printing a whole cluster see a realistic one. Endpoint, OIDC issuer and CA are fakes in the
 * real formats.
 */
export function renderCluster(cluster: SimCluster): Record<string, unknown> {
  const { name, region, accountId, uid } = cluster;
  const auto = cluster.compute === 'auto';
  const oidcId = hexOf(`oidc/${uid}`).toUpperCase();
  return {
    name,
    arn: `arn:aws:eks:${region}:${accountId}:cluster/${name}`,
    createdAt: epochSeconds(cluster.createdAt),
    version: cluster.kubernetesVersion,
    endpoint: `https://${uid.toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${accountId}:role/${name}-cluster-role`,
    resourcesVpcConfig: {
      subnetIds: [`subnet-${hexOf(`a/${uid}`, 17)}`, `subnet-${hexOf(`b/${uid}`, 17)}`],
      securityGroupIds: [],
      clusterSecurityGroupId: `sg-${hexOf(`sg/${uid}`, 17)}`,
      vpcId: `vpc-${hexOf(`vpc/${uid}`, 17)}`,
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    },
    kubernetesNetworkConfig: {
      serviceIpv4Cidr: '10.100.0.0/16',
      ipFamily: 'ipv4',
      ...(auto ? { elasticLoadBalancing: { enabled: true } } : {}),
    },
    logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }] },
    identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` } },
    status: clusterStatus(cluster),
    certificateAuthority: { data: Buffer.from(`-----BEGIN CERTIFICATE-----\nsimulated ${name}\n-----END CERTIFICATE-----\n`).toString('base64') },
    platformVersion: cluster.platformVersion,
    tags: cluster.tags,
    health: { issues: [] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    upgradePolicy: { supportType: 'STANDARD' },
    ...(auto
      ? {
          computeConfig: { enabled: true, nodePools: ['general-purpose', 'system'], nodeRoleArn: `arn:aws:iam::${accountId}:role/${name}-node-role` },
          storageConfig: { blockStorage: { enabled: true } },
        }
      : {}),
    deletionProtection: false,
  };
}
