import { RollbackRefusedError } from '../errors.js';
import type { RollbackRequest } from '../schemas/rollback-request.js';
import type { AddonSnapshot, ClusterItem, HopItem } from '../store/progress-items.js';
import type { ProgressStore } from '../store/progress-store.js';
import { minorIndex } from '../versions/compare-versions.js';
import { parseVersion } from '../versions/parse-version.js';

/** Runs of a cluster looked through for its last hop: a cluster rarely has more runs without a change than this. */
const RUNS_LOOKED_AT = 50;

/** The cluster's last hop that changed its add-on, with the snapshot its run took before its first change. */
export interface LastHop {
  readonly runId: string;
  readonly hop: Pick<HopItem, 'index' | 'fromVersion' | 'version' | 'kind' | 'outcome' | 'updateId'>;
  /** The snapshot of the hop's run: the configuration, role and pod identity associations the hop carried. */
  readonly snapshot: AddonSnapshot | null;
  /** The run was itself a rollback. */
  readonly rollback: ClusterItem['rollback'] | null;
}

/** What a cluster's rollback record says (on its CLUSTER item, shown by `cni-fleet history`). */
export interface RollbackRecord {
  readonly ofRun: string;
  readonly hop: number;
  readonly from: string;
  readonly to: string;
  readonly reason: string | null;
}

/** The add-on as it is now: the rollback run's own snapshot. */
export interface CurrentAddon {
  readonly addonVersion: string;
  readonly configurationValues: string | null;
  readonly serviceAccountRoleArn: string | null;
  readonly podIdentityPairs: readonly { readonly serviceAccount: string; readonly roleArn: string }[];
}

/**
 * The last hop that changed the cluster's add-on (an UpdateAddon was made, whatever the gate or EKS said of it),
 * newest run first, leaving out `exceptRunId` (the rollback's own run). Reads the `byCluster` index and each run's
 * records of the cluster; no scan.
 *
 * @example
 * const last = await findLastHop(store, '111122223333/us-east-1/prod'); // { runId: 'weekly-48', hop: { index: 2, fromVersion: 'v1.20.5-eksbuild.1', version: 'v1.21.1-eksbuild.8', … }, … }
 */
export async function findLastHop(store: ProgressStore, clusterKey: string, exceptRunId?: string): Promise<LastHop | null> {
  const runs = await store.clusterHistory(clusterKey, { limit: RUNS_LOOKED_AT });
  for (const item of runs) {
    if (item.runId === exceptRunId) continue;
    const records = await store.getRunCluster(item.runId, clusterKey);
    const last = (records?.hops ?? []).filter((h) => h.updateId !== null).at(-1);
    if (last) return { runId: item.runId, hop: last, snapshot: records?.snapshot?.snapshot ?? null, rollback: item.rollback ?? null };
  }
  return null;
}

/** Configuration text compared by meaning: JSON parsed (key order ignored), anything else trimmed. */
function sameConfiguration(a: string | null, b: string | null): boolean {
  const canonical = (text: string | null): string => {
    if (text === null || text.trim() === '') return '';
    try {
      return JSON.stringify(sortKeys(JSON.parse(text)));
    } catch {
      return text.trim();
    }
  };
  return canonical(a) === canonical(b);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
}

const pairsText = (pairs: readonly unknown[]): string =>
  JSON.stringify(
    pairs
      .filter((p): p is { serviceAccount: string; roleArn: string } => typeof p === 'object' && p !== null && 'serviceAccount' in p)
      .map((p) => `${p.serviceAccount}=${p.roleArn}`)
      .sort(),
  );

/** What a rollback of the last hop would do, as the history says: the hop, and the builds from → to. */
export interface RollbackCandidate {
  readonly last: LastHop;
  /** The build the add-on moves back from (the hop's target). */
  readonly from: string;
  /** The build it moves back to (what it ran before the hop). */
  readonly to: string;
  /** `run R hop N (A → B, OUTCOME)`, for messages. */
  readonly what: string;
}

/**
 * The rules of a rollback that the history alone decides: there is a last hop; it was not itself a rollback nor
 * the creation of the add-on; it moved at most one minor. `cni-fleet rollback` shows the result for confirmation;
 * the workflow checks it again with the add-on as it is (decideRollback).
 *
 * @throws RollbackRefusedError saying which rule
 * @example
 * rollbackCandidate(key, last) // { from: 'v1.21.1-eksbuild.8', to: 'v1.20.5-eksbuild.1', what: 'run weekly-48 hop 1 (…)', last }
 */
export function rollbackCandidate(clusterKey: string, last: LastHop | null): RollbackCandidate {
  const refuse = (reason: string): never => {
    throw new RollbackRefusedError(clusterKey, reason);
  };
  if (!last) return refuse('no hop of this cluster is recorded in the progress table (nothing to roll back, or its records expired)');
  const { hop } = last;
  const what = `run ${last.runId} hop ${hop.index} (${hop.fromVersion} → ${hop.version}, ${hop.outcome})`;
  if (last.rollback) return refuse(`its last change, ${what}, was itself a rollback: go forward with an upgrade run instead`);
  if (hop.kind === 'create') return refuse(`its last change, ${what}, created the add-on from a self-managed install: there is no add-on build to go back to`);
  const minors = Math.abs(minorIndex(parseVersion(hop.version)) - minorIndex(parseVersion(hop.fromVersion)));
  if (minors > 1) return refuse(`${what} spans ${minors} minor versions; a rollback moves one minor at most`);
  return { last, from: hop.version, to: hop.fromVersion, what };
}

/**
 * Every rule of a rollback (docs/operating-a-run.md, "Rollback"), before anything changes: the history's
 * (rollbackCandidate); the hop is the one the operator confirmed (`from` → `to` is its target → its start); the
 * add-on still runs its target; and the configuration, role and pod identity associations are those the hop carried
 * (its run's snapshot). The older version's schema check is PlanUpgrade's, as for every plan.
 *
 * @throws RollbackRefusedError saying which rule, and for a changed configuration what differs
 * @example
 * decideRollback(key, { from: 'v1.21.1-eksbuild.8', to: 'v1.20.5-eksbuild.1' }, last, snapshot) // { ofRun: 'weekly-48', hop: 1, from: …, to: …, reason: null }
 */
export function decideRollback(clusterKey: string, request: RollbackRequest, last: LastHop | null, current: CurrentAddon): RollbackRecord {
  const refuse = (reason: string): never => {
    throw new RollbackRefusedError(clusterKey, reason);
  };
  const candidate = rollbackCandidate(clusterKey, last);
  const { what } = candidate;
  const { hop, runId, snapshot } = candidate.last;
  if (request.from !== candidate.from || request.to !== candidate.to)
    return refuse(`the last hop is ${what}, not ${request.from} → ${request.to} as confirmed: confirm ${candidate.from} → ${candidate.to}`);
  if (current.addonVersion !== hop.version)
    return refuse(`the add-on runs ${current.addonVersion}, not ${hop.version} that ${what} moved it to: the hop did not land, or the add-on changed since`);
  if (!snapshot) return refuse(`the snapshot of run ${runId} is gone (expired): the configuration to restore is unknown`);
  const differs: string[] = [];
  if (!sameConfiguration(snapshot.configurationValues, current.configurationValues)) differs.push('configurationValues');
  if ((snapshot.serviceAccountRoleArn ?? null) !== current.serviceAccountRoleArn)
    differs.push(`serviceAccountRoleArn (${snapshot.serviceAccountRoleArn ?? 'none'} then, ${current.serviceAccountRoleArn ?? 'none'} now)`);
  const thenPairs = Array.isArray(snapshot['podIdentityPairs']) ? (snapshot['podIdentityPairs'] as readonly unknown[]) : snapshot.podIdentityAssociations;
  if (pairsText(thenPairs) !== pairsText(current.podIdentityPairs)) differs.push(`pod identity associations (${pairsText(thenPairs)} then, ${pairsText(current.podIdentityPairs)} now)`);
  if (differs.length > 0) return refuse(`the add-on changed since ${what}: ${differs.join('; ')} differ from that run's snapshot; restore them or upgrade instead`);
  return { ofRun: runId, hop: hop.index, from: hop.version, to: hop.fromVersion, reason: request.reason ?? null };
}
