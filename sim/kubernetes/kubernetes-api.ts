import { takeKubernetesFault } from '../faults.js';
import type { SimCluster } from '../model.js';
import type { SimWorld } from '../world.js';
import { awsNodeDaemonSet, awsNodeServiceAccount } from '../../lib/kubernetes/aws-node-manifest.js';
import { daemonSetStatus } from './daemonset-rollout.js';
import type { KubeObject } from '../../lib/kubernetes/kube-object.js';
import { renderNode } from './nodes.js';
import { PodRenderer } from './pods.js';
import { fieldsMatch, labelsMatch, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { SIMULATOR_MANIFEST_RULES } from './stock-env.js';
import { checkEksToken, type KnownCredential } from './token-check.js';

/** Every cluster's Kubernetes API lives under this path of the simulator: `/k8s/<account>/<region>/<name>`. */
export const KUBERNETES_PATH = '/k8s/';

/** One answer of the simulated API server; `drop`: no answer at all, the connection is cut (fault KUBERNETES_UNREACHABLE). */
export interface KubernetesAnswer {
  readonly status: number;
  readonly body: KubeObject;
  readonly drop?: boolean;
}

/** One request the simulated API servers saw (tests assert on them: e.g. no write ever reaches a cluster). */
export interface KubernetesCall {
  readonly method: string;
  readonly cluster: string;
  /** The path below the cluster's prefix, e.g. `/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node`. */
  readonly path: string;
  /** HTTP status answered; 0 when the connection was dropped. */
  readonly status: number;
}

/**
 * The endpoint DescribeCluster reports for a simulated cluster: a per-cluster prefix of the simulator's own HTTP
 * server, where its Kubernetes API answers.
 *
 * @example
 * kubernetesEndpoint('http://127.0.0.1:4566', cluster) // 'http://127.0.0.1:4566/k8s/111122223333/us-east-1/payments-prod'
 */
export function kubernetesEndpoint(base: string, cluster: Pick<SimCluster, 'accountId' | 'region' | 'name'>): string {
  return `${base}${KUBERNETES_PATH}${cluster.accountId}/${cluster.region}/${encodeURIComponent(cluster.name)}`;
}

/** A `metav1.Status` failure, the body every Kubernetes API error has. */
const failure = (code: number, reason: string, message: string, details?: KubeObject): KubernetesAnswer => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code },
});

type Resource = 'pods' | 'nodes' | 'daemonsets' | 'serviceaccounts';

/** A path the simulated API server serves: the resource, its API group, and namespace/name when the path has them. */
interface Target {
  readonly resource: Resource;
  readonly group: '' | 'apps';
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

const ROUTES: readonly { pattern: RegExp; resource: Resource; group: '' | 'apps'; namespaced: boolean }[] = [
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/, resource: 'pods', group: '', namespaced: true },
  { pattern: /^\/api\/v1\/pods$/, resource: 'pods', group: '', namespaced: false },
  { pattern: /^\/api\/v1\/nodes(?:\/([^/]+))?$/, resource: 'nodes', group: '', namespaced: false },
  { pattern: /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets(?:\/([^/]+))?$/, resource: 'daemonsets', group: 'apps', namespaced: true },
  { pattern: /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)$/, resource: 'serviceaccounts', group: '', namespaced: true },
];

function route(path: string): Target | undefined {
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const [namespace, name] = r.namespaced ? [m[1], m[2]] : [undefined, m[1]];
    return { resource: r.resource, group: r.group, namespace: namespace && decodeURIComponent(namespace), name: name && decodeURIComponent(name) };
  }
  return undefined;
}

const KINDS: Record<Resource, string> = { pods: 'Pod', nodes: 'Node', daemonsets: 'DaemonSet', serviceaccounts: 'ServiceAccount' };

const qualified = (t: Target): string => (t.group ? `${t.resource}.${t.group}` : t.resource);

const notFound = (t: Target): KubernetesAnswer =>
  failure(404, 'NotFound', `${qualified(t)} "${t.name ?? ''}" not found`, { name: t.name ?? '', ...(t.group ? { group: t.group } : {}), kind: t.resource });

/** RBAC's refusal, word for word as the API server's authorizer phrases it. */
function forbidden(user: string, verb: string, t: Target | undefined): KubernetesAnswer {
  if (!t) return failure(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path`);
  const scope = t.namespace !== undefined ? `in the namespace "${t.namespace}"` : 'at the cluster scope';
  const subject = t.name !== undefined ? `${qualified(t)} "${t.name}"` : qualified(t);
  return failure(403, 'Forbidden', `${subject} is forbidden: User "${user}" cannot ${verb} resource "${t.resource}" in API group "${t.group}" ${scope}`, {
    ...(t.name !== undefined ? { name: t.name } : {}),
    ...(t.group ? { group: t.group } : {}),
    kind: t.resource,
  });
}

export interface KubernetesRequest {
  readonly method: string;
  /** The full path, starting with KUBERNETES_PATH. */
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
}

/**
 * Answers one request to a simulated cluster's API server, as the real one would for a read-only identity: GET (get
 * and list) of the aws-node pods, DaemonSet and ServiceAccount in kube-system and of nodes, with label selectors
 * (equality and set-based), field selectors (`spec.nodeName`, `metadata.name`, `status.phase`) and `limit` /
 * `continue`; behind the EKS bearer-token check (401). Every write is 403, as RBAC answers the read-only access the
 * docs tell operators to grant. Access faults: 401 (no access entry), 403 (an entry without the reads), or no answer.
 *
 * @example
 * await kubernetesRequest(world, { method: 'GET', pathname: '/k8s/1111…/us-east-1/c1/api/v1/namespaces/kube-system/pods', query, authorization }, [], Date.now())
 */
export async function kubernetesRequest(world: SimWorld, request: KubernetesRequest, known: readonly KnownCredential[], realNowMs: number): Promise<KubernetesAnswer & { cluster: string; path: string }> {
  const match = /^\/k8s\/(\d{12})\/([a-z0-9-]+)\/([^/]+)(\/.*)?$/.exec(request.pathname);
  if (!match) return { ...failure(404, 'NotFound', 'the server could not find the requested resource'), cluster: '', path: request.pathname };
  const [, accountId, region, encodedName, rest] = match as unknown as [string, string, string, string, string | undefined];
  const name = decodeURIComponent(encodedName);
  const path = rest ?? '/';
  const answer = await answerFor(world, { accountId, region, name, path }, request, known, realNowMs);
  return { ...answer, cluster: name, path };
}

async function answerFor(
  world: SimWorld,
  at: { accountId: string; region: string; name: string; path: string },
  request: KubernetesRequest,
  known: readonly KnownCredential[],
  realNowMs: number,
): Promise<KubernetesAnswer> {
  const cluster = world.lookup({ region: at.region, accountId: at.accountId }, at.name);
  // A deleted cluster's endpoint no longer resolves; the closest an HTTP server can say is 503.
  if (!cluster) return failure(503, 'ServiceUnavailable', `cluster ${at.name} is not reachable`);
  const fault = takeKubernetesFault(cluster);
  if (fault === 'KUBERNETES_UNREACHABLE') return { status: 0, body: {}, drop: true };
  const verdict = await checkEksToken(request.authorization, cluster.name, known, realNowMs);
  // No access entry maps the caller to a Kubernetes identity: authentication fails, 401 as for a bad token.
  if (!verdict.ok || fault === 'KUBERNETES_UNAUTHORIZED') return failure(401, 'Unauthorized', 'Unauthorized');
  const target = route(at.path);
  const verb = request.method !== 'GET' ? request.method.toLowerCase() : target?.name !== undefined ? 'get' : 'list';
  if (request.method !== 'GET' || fault === 'KUBERNETES_FORBIDDEN') return forbidden(verdict.accessKeyId, verb, target);
  if (!target) return failure(404, 'NotFound', 'the server could not find the requested resource');
  if (request.query.get('watch') === 'true' || request.query.get('watch') === '1') return failure(405, 'MethodNotAllowed', 'watch is not served by the simulator');
  const now = world.clock.now();
  world.advanceKubernetes(cluster, now);
  return read(cluster, target, request.query, now);
}

/** Objects of one resource, by name, as the API server holds them now. */
function objectsOf(cluster: SimCluster, t: Target, now: number): { name: string; labels: Record<string, string>; fields: Record<string, string>; render: () => KubeObject }[] {
  const ds = cluster.daemonSet;
  const inKubeSystem = t.namespace === undefined || t.namespace === 'kube-system';
  switch (t.resource) {
    case 'nodes':
      return cluster.nodeList.map((node) => ({
        name: node.name,
        labels: { ...node.labels },
        fields: { 'metadata.name': node.name, 'spec.unschedulable': 'false' },
        render: () => renderNode(node, now, cluster.kubernetesVersion),
      }));
    case 'pods': {
      if (!ds || !inKubeSystem) return [];
      const renderer = new PodRenderer(cluster, ds, now);
      return cluster.nodeList.flatMap((node) => {
        const pod = ds.pods.get(node.name);
        if (!pod) return [];
        const rendered = renderer.render(pod, node);
        const metadata = rendered.metadata as { labels: Record<string, string> };
        const phase = (rendered.status as { phase: string }).phase;
        return [{
          name: pod.name,
          labels: metadata.labels,
          fields: { 'metadata.name': pod.name, 'metadata.namespace': 'kube-system', 'spec.nodeName': node.name, 'status.phase': phase },
          render: () => rendered,
        }];
      });
    }
    case 'daemonsets': {
      if (!ds || !inKubeSystem) return [];
      const latest = ds.revisions.at(-1)!;
      const changes = [ds.createdAt, latest.appliedAt, ...[...ds.pods.values()].map((p) => Math.min(now, p.readyAt ?? p.createdAt))];
      const render = (): KubeObject =>
        awsNodeDaemonSet(SIMULATOR_MANIFEST_RULES, cluster, latest.source, { uid: ds.uid, createdAt: ds.createdAt, generation: latest.generation, status: daemonSetStatus(cluster, ds, now), changedAt: Math.max(...changes) });
      return [{ name: 'aws-node', labels: { 'k8s-app': 'aws-node' }, fields: { 'metadata.name': 'aws-node', 'metadata.namespace': 'kube-system' }, render }];
    }
    case 'serviceaccounts':
      if (!ds || !inKubeSystem) return [];
      return [{ name: 'aws-node', labels: {}, fields: { 'metadata.name': 'aws-node' }, render: () => awsNodeServiceAccount(cluster, ds.applied) }];
  }
}

const FIELDS: Record<Resource, readonly string[]> = {
  pods: ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'],
  nodes: ['metadata.name', 'spec.unschedulable'],
  daemonsets: ['metadata.name', 'metadata.namespace'],
  serviceaccounts: ['metadata.name'],
};

function read(cluster: SimCluster, t: Target, query: URLSearchParams, now: number): KubernetesAnswer {
  const objects = objectsOf(cluster, t, now);
  if (t.name !== undefined) {
    const found = objects.find((o) => o.name === t.name);
    if (!found) return notFound(t);
    return { status: 200, body: { kind: KINDS[t.resource], apiVersion: t.group ? `${t.group}/v1` : 'v1', ...found.render() } };
  }
  const labelText = query.get('labelSelector') ?? '';
  const labels = parseLabelSelector(labelText);
  if (!labels) return failure(400, 'BadRequest', `unable to parse requirement: ${labelText}`);
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', FIELDS[t.resource]);
  if (!fields.ok) return failure(400, 'BadRequest', fields.message);
  // etcd keeps objects by name, so lists come back in name order.
  const matching = objects.filter((o) => labelsMatch(o.labels, labels) && fieldsMatch(o.fields, fields.requirements)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const resourceVersion = String(Math.max(1, Math.floor(now / 1000)));
  let start = 0;
  const token = query.get('continue');
  if (token) {
    const decoded = /^\d+$/.test(Buffer.from(token, 'base64url').toString('utf8')) ? Number(Buffer.from(token, 'base64url').toString('utf8')) : NaN;
    if (!Number.isInteger(decoded)) return failure(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    start = decoded;
  }
  const limit = Number(query.get('limit') ?? '0');
  const end = limit > 0 ? Math.min(matching.length, start + limit) : matching.length;
  const more = end < matching.length;
  return {
    status: 200,
    body: {
      kind: `${KINDS[t.resource]}List`,
      apiVersion: t.group ? `${t.group}/v1` : 'v1',
      metadata: { resourceVersion, ...(more ? { continue: Buffer.from(String(end)).toString('base64url'), remainingItemCount: matching.length - end } : {}) },
      // List items carry no kind/apiVersion of their own, as the API server sends them.
      items: matching.slice(start, end).map((o) => o.render()),
    },
  };
}
