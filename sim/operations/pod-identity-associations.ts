import { EksApiError } from '../eks-api-error.js';
import { renderPodIdentityAssociation } from '../render.js';
import type { OperationHandler } from './context.js';

/**
 * DescribePodIdentityAssociation (`GET /clusters/{name}/pod-identity-associations/{associationId}`): the
 * associations the vpc-cni add-on owns (the Addon shape lists only their ARNs: docs/eks-behaviour.md#the-addon-object),
 * so a snapshot can learn the {serviceAccount, roleArn} pairs that UpdateAddon re-sends
 * (docs/eks-behaviour.md#pod-identity-associations). UNVERIFIED wording of the 404.
 */
export const describePodIdentityAssociation: OperationHandler = ({ world, scope, params }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const associationId = params.associationId ?? '';
  const addon = cluster.addon;
  const association = addon?.settings.podIdentityAssociations.find((a) => a.associationArn.endsWith(`/${associationId}`));
  if (!addon || !association)
    throw new EksApiError('ResourceNotFoundException', `No Pod Identity Association found for id: ${associationId}`, { clusterName: cluster.name });
  return { association: renderPodIdentityAssociation(cluster, addon, association) };
};
