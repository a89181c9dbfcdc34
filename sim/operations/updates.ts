import { EksApiError, addonNotFound, updateNotFound } from '../eks-api-error.js';
import { paginate } from '../pagination.js';
import { renderUpdate } from '../render.js';
import type { OperationHandler } from './context.js';

/**
 * DescribeUpdate (docs/eks-behaviour.md#describeupdate-needs-addonname). An add-on update is found only with the
 * matching `?addonName=`; without it EKS answers 404 `No update found for ID: X` (aws/aws-cli#10252). Control-plane
 * updates are found without any qualifier.
 */
export const describeUpdate: OperationHandler = ({ world, scope, params, query }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const id = params.updateId ?? '';
  const addonName = query.get('addonName') ?? undefined;
  const qualified = addonName ?? query.get('nodegroupName') ?? query.get('capabilityName') ?? undefined;
  const update = cluster.updates.find((u) => u.id === id);
  if (!update || (update.addonName !== undefined ? update.addonName !== addonName : qualified !== undefined)) throw updateNotFound(cluster.name, id);
  return { update: renderUpdate(update) };
};

/**
 * ListUpdates (docs/eks-behaviour.md#pagination): with `addonName`, that add-on's update ids (404 when it
 * is not installed); without, the control-plane updates. Oldest first (EKS's order is not documented). Node groups are
 * not simulated: UNVERIFIED wording for the 404.
 */
export const listUpdates: OperationHandler = ({ world, scope, params, query }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  const addonName = query.get('addonName') ?? undefined;
  const nodegroupName = query.get('nodegroupName') ?? undefined;
  if (nodegroupName !== undefined)
    throw new EksApiError('ResourceNotFoundException', `No node group found for name: ${nodegroupName}.`, { clusterName: cluster.name });
  if (addonName !== undefined && cluster.addon?.addonName !== addonName) throw addonNotFound(cluster.name, addonName);
  const ids = cluster.updates.filter((u) => u.addonName === addonName).map((u) => u.id);
  const page = paginate(ids, query, `ListUpdates/${cluster.uid}/${addonName ?? ''}`, { clusterName: cluster.name });
  return { updateIds: page.items, nextToken: page.nextToken };
};
