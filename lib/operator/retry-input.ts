import type { JsonObject } from '../json.js';
import type { RunItem } from '../store/progress-store.js';
import type { ClusterRunView } from './cluster-run-view.js';

interface Target {
  readonly name?: unknown;
  readonly region?: unknown;
  readonly accountId?: unknown;
  readonly roleArn?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * The role a run used to reach a cluster: its entry in the run's `clusters` list (or its `cluster`), else its
 * account's entry in the `selector`'s accounts.
 */
function roleOf(input: JsonObject | null, cluster: ClusterRunView): string | undefined {
  const listed = input?.['clusters'];
  const list = [...(Array.isArray(listed) ? (listed as Target[]) : []), ...(input?.['cluster'] ? [input['cluster'] as Target] : [])];
  const entry = list.find((t) => t.name === cluster.name && t.region === cluster.region && (t.accountId === undefined || t.accountId === cluster.accountId));
  if (str(entry?.roleArn)) return str(entry?.roleArn);
  const accounts = ((input?.['selector'] as { accounts?: Target[] } | null | undefined)?.accounts ?? []) as Target[];
  // A fleet run keeps its list in lane records, and on the run the role it used per account (lib/steps/plan-lanes.ts).
  const roles = (input?.['roles'] ?? {}) as Record<string, unknown>;
  return str(accounts.find((a) => a.accountId === cluster.accountId)?.roleArn) ?? str(roles[cluster.accountId]);
}

/**
 * A fleet execution input that runs again the clusters of a run whose status is one of `statuses` (FAILED by
 * default): each with its account and the role the run used, with the run's options. Null when no cluster matches.
 *
 * @example
 * retryInput(await store.getRun('weekly-1'), clusters, ['FAILED'])
 * // { clusters: [{ name: 'payments', region: 'eu-west-1', accountId: '111122223333' }], options: { … }, trigger: 'cli' }
 */
export function retryInput(run: RunItem | null, clusters: readonly ClusterRunView[], statuses: readonly string[] = ['FAILED']): JsonObject | null {
  const input = run?.input ?? null;
  const retried = clusters.filter((c) => statuses.includes(c.status));
  if (retried.length === 0) return null;
  const options = input?.['options'];
  return {
    clusters: retried.map((c) => {
      const roleArn = roleOf(input, c);
      return { name: c.name, region: c.region, accountId: c.accountId, ...(roleArn ? { roleArn } : {}) };
    }),
    ...(options && typeof options === 'object' && !Array.isArray(options) ? { options: options as JsonObject } : {}),
    trigger: 'cli',
  };
}
