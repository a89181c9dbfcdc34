import type { SimCluster } from '../model.js';
import type { SimWorld } from '../world.js';
import { awsNodeDaemonSet, awsNodeServiceAccount, daemonSetSource, type KubeObject } from './aws-node-manifest.js';
import { parseLabelSelector, simNodes } from './nodes.js';
import { checkEksToken, type KnownCredential } from './token-check.js';

/** Every cluster's Kubernetes API lives under this path of the simulator: `/k8s/<account>/<region>/<name>`. */
export const KUBERNETES_PATH = '/k8s/';

/** One answer of the simulated API server. */
export interface KubernetesAnswer {
  readonly status: number;
  readonly body: KubeObject;
}

/** One request the simulated API servers saw (tests assert on them: e.g. no write ever reaches a cluster). */
export interface KubernetesCall {
  readonly method: string;
  readonly cluster: string;
  /** The path below the cluster's prefix, e.g. `/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node`. */
  readonly path: string;
  readonly status: number;
}

/**
 * The endpoint DescribeCluster reports for a simulated cluster: a per-cluster prefix of the simulator's own HTTP
 * server, where its minimal Kubernetes API answers.
 *
 * @example
 * kubernetesEndpoint('http://127.0.0.1:4566', cluster) // 'http://127.0.0.1:4566/k8s/111122223333/us-east-1/payments-prod'
 */
export function kubernetesEndpoint(base: string, cluster: Pick<SimCluster, 'accountId' | 'region' | 'name'>): string {
  return `${base}${KUBERNETES_PATH}${cluster.accountId}/${cluster.region}/${encodeURIComponent(cluster.name)}`;
}

/** A `metav1.Status` failure, the body every Kubernetes API error has. */
const status = (code: number, reason: string, message: string, details?: KubeObject): KubernetesAnswer => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code },
});

const notFound = (resource: string, group: string, name: string): KubernetesAnswer =>
  status(404, 'NotFound', `${resource}${group ? `.${group}` : ''} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });

const ROUTES: readonly { pattern: RegExp; resource: 'daemonsets' | 'serviceaccounts' | 'nodes' }[] = [
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets\/([^/]+)$/, resource: 'daemonsets' },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/, resource: 'serviceaccounts' },
  { pattern: /^\/api\/v1\/nodes$/, resource: 'nodes' },
];

export interface KubernetesRequest {
  readonly method: string;
  /** The full path, starting with KUBERNETES_PATH. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
}

/**
 * Answers one request to a simulated cluster's API server: GET the `aws-node` DaemonSet and ServiceAccount in
 * any namespace (only kube-system has them) and list nodes (equality label selectors, `limit`), behind the EKS
 * bearer-token check (401 for a missing or malformed token). The caller is a read-only identity: every write is
 * 403 Forbidden, as RBAC answers the access the docs tell operators to grant (docs/self-managed.md).
 *
 * @example
 * await kubernetesRequest(world, { method: 'GET', pathname: '/k8s/1111…/us-east-1/c1/api/v1/nodes', query, authorization }, [], Date.now())
 */
export async function kubernetesRequest(world: SimWorld, request: KubernetesRequest, known: readonly KnownCredential[], realNowMs: number): Promise<KubernetesAnswer & { cluster: string; path: string }> {
  const match = /^\/k8s\/(\d{12})\/([a-z0-9-]+)\/([^/]+)(\/.*)?$/.exec(request.pathname);
  if (!match) return { ...status(404, 'NotFound', 'the server could not find the requested resource'), cluster: '', path: request.pathname };
  const [, accountId, region, encodedName, rest] = match as unknown as [string, string, string, string, string | undefined];
  const name = decodeURIComponent(encodedName);
  const path = rest ?? '/';
  const answer = await answerFor(world, { accountId, region, name, path }, request, known, realNowMs);
  return { ...answer, cluster: name, path };
}

async function answerFor(
  world: SimWorld,
  target: { accountId: string; region: string; name: string; path: string },
  request: KubernetesRequest,
  known: readonly KnownCredential[],
  realNowMs: number,
): Promise<KubernetesAnswer> {
  const cluster = world.lookup({ region: target.region, accountId: target.accountId }, target.name);
  // A deleted cluster's endpoint no longer resolves; the closest an HTTP server can say is 503.
  if (!cluster) return status(503, 'ServiceUnavailable', `cluster ${target.name} is not reachable`);
  const verdict = await checkEksToken(request.authorization, cluster.name, known, realNowMs);
  if (!verdict.ok) return status(401, 'Unauthorized', 'Unauthorized');
  const route = ROUTES.map((r) => ({ r, m: r.pattern.exec(target.path) })).find((x) => x.m);
  if (request.method !== 'GET') {
    const what = route ? `${route.r.resource}${route.r.resource === 'daemonsets' ? '.apps' : ''}` : 'the resource';
    return status(403, 'Forbidden', `${what} is forbidden: User "${verdict.accessKeyId}" cannot ${request.method.toLowerCase()} ${what} (read-only access)`);
  }
  if (!route) return status(404, 'NotFound', 'the server could not find the requested resource');
  const [, namespace, objectName] = route.m as unknown as [string, string | undefined, string | undefined];
  const source = daemonSetSource(cluster);
  switch (route.r.resource) {
    case 'daemonsets':
      if (!source || namespace !== 'kube-system' || objectName !== 'aws-node') return notFound('daemonsets', 'apps', objectName ?? '');
      return { status: 200, body: awsNodeDaemonSet(cluster, source) };
    case 'serviceaccounts':
      if (!source || namespace !== 'kube-system' || objectName !== 'aws-node') return notFound('serviceaccounts', '', objectName ?? '');
      return { status: 200, body: awsNodeServiceAccount(cluster, source) };
    case 'nodes': {
      const selector = parseLabelSelector(request.query.get('labelSelector') ?? '');
      if (!selector) return status(400, 'BadRequest', `unable to parse requirement: ${request.query.get('labelSelector') ?? ''}`);
      const limit = Number(request.query.get('limit') ?? '0');
      const all = simNodes(cluster, selector);
      const items = limit > 0 ? all.slice(0, limit) : all;
      return { status: 200, body: { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items } };
    }
  }
}
