import { paginate } from '../pagination.js';
import { renderCluster } from '../render.js';
import type { OperationHandler } from './context.js';

/** ListClusters (facts §2): names in fleet-file order, ghosts included (facts §7.5), paginated (§6). */
export const listClusters: OperationHandler = ({ world, scope, query }) => {
  const names = [...new Set(world.listed(scope).map((c) => c.name))];
  const page = paginate(names, query, `ListClusters/${scope.region}/${scope.accountId ?? '*'}`);
  return { clusters: page.items, nextToken: page.nextToken };
};

/** DescribeCluster (facts §2); 404 `No cluster found for name: X.` (facts §7.2). */
export const describeCluster: OperationHandler = ({ world, scope, params }) => {
  const cluster = world.require(scope, params.clusterName ?? '');
  return { cluster: renderCluster(cluster) };
};
