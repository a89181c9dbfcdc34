import { paginate } from '../pagination.js';
import { renderCluster } from '../render.js';
import type { OperationHandler } from './context.js';

/** ListClusters: names in fleet-file order, ghosts included (docs/eks-behaviour.md#listclusters-ghosts), paginated. */
export const listClusters: OperationHandler = ({ world, scope, query }) => {
  const names = [...new Set(world.listed(scope).map((c) => c.name))];
  const page = paginate(names, query, `ListClusters/${scope.region}/${scope.accountId ?? '*'}`);
  return { clusters: page.items, nextToken: page.nextToken };
};

/** DescribeCluster; 404 `No cluster found for name: X.` (docs/eks-behaviour.md#error-messages). */
export const describeCluster: OperationHandler = ({ world, scope, params }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  return { cluster: renderCluster(cluster) };
};
