import type { EksOperation } from '../lib/fleet/fleet-file.js';

/** Path parameters of the EKS request URIs (docs/eks-behaviour.md#operations). */
export interface RouteParams {
  /** `{name}`: the cluster. */
  readonly clusterName?: string;
  readonly addonName?: string;
  readonly updateId?: string;
  readonly associationId?: string;
}

export interface Route {
  readonly operation: EksOperation;
  readonly params: RouteParams;
}

const seg = '([^/]+)';
// Exactly the model's request URIs; the clients send nothing else (docs/eks-behaviour.md#protocol-and-signing).
const TABLE: readonly { method: string; pattern: RegExp; operation: EksOperation; names: readonly (keyof RouteParams)[] }[] = [
  { method: 'GET', pattern: /^\/clusters$/, operation: 'ListClusters', names: [] },
  { method: 'GET', pattern: new RegExp(`^/clusters/${seg}$`), operation: 'DescribeCluster', names: ['clusterName'] },
  { method: 'GET', pattern: new RegExp(`^/clusters/${seg}/addons$`), operation: 'ListAddons', names: ['clusterName'] },
  { method: 'POST', pattern: new RegExp(`^/clusters/${seg}/addons$`), operation: 'CreateAddon', names: ['clusterName'] },
  { method: 'GET', pattern: new RegExp(`^/clusters/${seg}/addons/${seg}$`), operation: 'DescribeAddon', names: ['clusterName', 'addonName'] },
  { method: 'DELETE', pattern: new RegExp(`^/clusters/${seg}/addons/${seg}$`), operation: 'DeleteAddon', names: ['clusterName', 'addonName'] },
  { method: 'POST', pattern: new RegExp(`^/clusters/${seg}/addons/${seg}/update$`), operation: 'UpdateAddon', names: ['clusterName', 'addonName'] },
  { method: 'GET', pattern: new RegExp(`^/clusters/${seg}/updates$`), operation: 'ListUpdates', names: ['clusterName'] },
  { method: 'GET', pattern: new RegExp(`^/clusters/${seg}/updates/${seg}$`), operation: 'DescribeUpdate', names: ['clusterName', 'updateId'] },
  { method: 'GET', pattern: new RegExp(`^/clusters/${seg}/pod-identity-associations/${seg}$`), operation: 'DescribePodIdentityAssociation', names: ['clusterName', 'associationId'] },
  { method: 'GET', pattern: /^\/addons\/supported-versions$/, operation: 'DescribeAddonVersions', names: [] },
  { method: 'GET', pattern: /^\/addons\/configuration-schemas$/, operation: 'DescribeAddonConfiguration', names: [] },
];

/**
 * The operation an HTTP request invokes, or undefined for anything else.
 *
 * @example
 * matchRoute('POST', '/clusters/c1/addons/vpc-cni/update') // { operation: 'UpdateAddon', params: { clusterName: 'c1', addonName: 'vpc-cni' } }
 */
export function matchRoute(method: string, pathname: string): Route | undefined {
  for (const route of TABLE) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = decodeURIComponent(match[i + 1] ?? '');
    });
    return { operation: route.operation, params };
  }
  return undefined;
}
