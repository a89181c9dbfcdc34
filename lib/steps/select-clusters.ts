import { DescribeAddonCommand, DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { Cluster, EKSClient } from '@aws-sdk/client-eks';
import { mapConcurrent } from '../plan/map-concurrent.js';
import { optOutRefusal } from '../plan/cluster-decision.js';
import { planPath } from '../versions/plan-path.js';
import { ADDON_NAME, offeredBuilds } from './eks-catalogue.js';
import { isNotFound, translateEksError } from '../aws/eks-errors.js';
import { StepAlreadyRecordedError } from '../errors.js';
import { clusterKey } from '../workflow/state.js';
import { accountOfArn } from '../fleet/names.js';
import type { SelectionRead, StepDeps } from './step-deps.js';
import type { RunTrigger } from '../store/progress-store.js';
import { toPlainJson } from '../store/json-value.js';
import type { FleetState } from './validate-fleet-input.js';

/** One cluster of a wave: what the child execution's `cluster` input needs. */
export interface SelectedCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly roleArn?: string;
}

export interface Wave {
  readonly name: string;
  readonly clusters: SelectedCluster[];
}

export interface Selection {
  readonly waves: Wave[];
  readonly total: number;
  readonly skipped: { readonly name: string; readonly region: string; readonly reason: string }[];
}


/**
 * Wave order: `canary` first, then the other wave tag values in natural order (`1` < `2` < `10`), untagged
 * clusters last — so a problem shows on few clusters before it reaches many.
 */
export const compareWaves = (a: string, b: string): number => {
  const rank = (w: string): number => (w === 'canary' ? 0 : w === '' ? 2 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
};

type Candidate = { name: string; region: string; roleArn?: string | undefined; accountId?: string | undefined };

// EKS API rate limits are unpublished (facts §8.1: "design with client-side concurrency limits + SDK retries"); ten
// reads in flight keep a 1,000-cluster selection to seconds without inviting throttling.
const DESCRIBE_CONCURRENCY = 10;
// A cluster whose add-on cannot be read (self-managed, or unreadable now) is ordered first: a migration is a create
// plus its hops, the longest work a cluster can have.
const UNKNOWN_WORK = 99;

/**
 * The hops a cluster's upgrade is expected to take, for ordering only: DescribeAddon and the plan the cluster
 * workflow will make. Any failure here only costs ordering, never the selection.
 */
async function expectedHops(eks: EKSClient, cluster: Cluster, options: FleetState['options'], deps: StepDeps): Promise<number> {
  try {
    const addon = (await eks.send(new DescribeAddonCommand({ clusterName: cluster.name, addonName: ADDON_NAME }))).addon;
    if (!addon?.addonVersion || !cluster.version) return UNKNOWN_WORK;
    const builds = await offeredBuilds(eks, deps.cache, cluster.version, deps.now().getTime());
    const plan = planPath({ from: addon.addonVersion, target: options.target, kubernetesVersion: cluster.version, builds, allowDowngrade: options.allowDowngrade });
    return plan.blocked ? 0 : plan.hops.length;
  } catch {
    return UNKNOWN_WORK;
  }
}

/**
 * DescribeCluster (and the work estimate) for every candidate, ten at a time. Reads that succeed are kept in the
 * container's cache for this run; a throttled or failing read fails the step only after every other read was
 * made, so the ASL's Retry repeats just the reads that failed.
 */
async function readCandidates(state: FleetState, candidates: readonly Candidate[], deps: StepDeps): Promise<SelectionRead[]> {
  let failure: unknown;
  const reads = await mapConcurrent(candidates, DESCRIBE_CONCURRENCY, async (c): Promise<SelectionRead | undefined> => {
    const accountId = c.accountId ?? deps.accountId;
    const key = `${state.runId}|${accountId}|${c.roleArn ?? ''}|${c.region}|${c.name}`;
    const cached = deps.cache.selection.get(key);
    if (cached) return cached;
    const eks = deps.eksFor({ accountId, region: c.region, roleArn: c.roleArn });
    let read: SelectionRead;
    try {
      const cluster = (await eks.send(new DescribeClusterCommand({ name: c.name }))).cluster;
      const tags = cluster?.tags ?? {};
      // Only clusters that will run need an estimate: filtered-out and opted-out ones cost no further call.
      const runs = Object.entries(state.selector?.tags ?? {}).every(([k, v]) => tags[k] === v) && !optOutRefusal(tags, state.skipTag);
      read = cluster
        ? { found: true, arn: cluster.arn, tags, expectedHops: runs ? await expectedHops(eks, cluster, state.options, deps) : 0 }
        : { found: false, tags: {}, expectedHops: 0 };
    } catch (error) {
      if (!isNotFound(error)) {
        failure ??= error;
        return undefined;
      }
      read = { found: false, tags: {}, expectedHops: 0 };
    }
    deps.cache.selection.set(key, read);
    return read;
  });
  if (failure !== undefined) translateEksError(failure);
  return reads as SelectionRead[];
}

/**
 * SelectClusters: resolves the run's clusters — the explicit list, or ListClusters per region (and account,
 * through its role) filtered by tags and name prefix — drops those opted out by the skip tag and those that
 * DescribeCluster no longer finds (ListClusters can list ghosts: facts §7.5), records the run and its clusters
 * (PENDING, or SKIPPED with the reason), and groups them into waves by the wave tag, each wave ordered longest
 * expected upgrade first (one DescribeAddon per selected cluster).
 *
 * @example
 * await selectClusters(state, deps) // { waves: [{ name: 'canary', clusters: [...] }, { name: '', clusters: [...] }], total: 12, skipped: [...] }
 */
export async function selectClusters(state: FleetState, deps: StepDeps): Promise<Selection> {
  const candidates: Candidate[] = [];
  if (state.clusters) {
    candidates.push(...state.clusters);
  } else if (state.selector) {
    const scopes = state.selector.accounts?.map((a) => ({ roleArn: a.roleArn as string | undefined, accountId: a.accountId as string | undefined })) ?? [
      { roleArn: undefined, accountId: undefined },
    ];
    for (const scope of scopes) {
      for (const region of state.selector.regions) {
        const eks = deps.eksFor({ accountId: scope.accountId ?? deps.accountId, region, roleArn: scope.roleArn });
        try {
          for await (const page of paginateListClusters({ client: eks }, {})) {
            for (const name of page.clusters ?? []) {
              if (state.selector.namePrefix && !name.startsWith(state.selector.namePrefix)) continue;
              candidates.push({ name, region, roleArn: scope.roleArn, accountId: scope.accountId });
            }
          }
        } catch (error) {
          translateEksError(error);
        }
      }
    }
  }

  const reads = await readCandidates(state, candidates, deps);
  const selected: (SelectedCluster & { wave: string; expectedHops: number })[] = [];
  const skipped: Selection['skipped'] = [];
  candidates.forEach((c, i) => {
    const read = reads[i]!;
    if (!read.found) {
      skipped.push({ name: c.name, region: c.region, reason: 'DescribeCluster found no such cluster' });
      return;
    }
    const wanted = state.selector?.tags ?? {};
    if (Object.entries(wanted).some(([k, v]) => read.tags[k] !== v)) return;
    const accountId = c.accountId ?? accountOfArn(read.arn) ?? deps.accountId;
    // The opt-out rule `cni-fleet plan` applies too (lib/plan/cluster-decision.ts).
    const optOut = optOutRefusal(read.tags, state.skipTag);
    if (optOut) {
      skipped.push({ name: c.name, region: c.region, reason: optOut.reason });
      return;
    }
    const wave = read.tags[state.waveTag] ?? '';
    selected.push({ name: c.name, region: c.region, accountId, ...(c.roleArn ? { roleArn: c.roleArn } : {}), wave, expectedHops: read.expectedHops });
  });

  const run = await deps.store.putRun({
    runId: state.runId,
    trigger: state.trigger as RunTrigger,
    input: toPlainJson({ clusters: state.clusters ?? null, selector: state.selector ?? null, options: state.options }),
  });
  // A run id is one run: going on under a finished run's id would rewrite its records (the failure budget marks
  // its FAILED clusters SKIPPED). Resuming is a new run (README, Failure behaviour).
  if (run.status !== 'RUNNING') throw new StepAlreadyRecordedError(run.type, run.pk, run.sk, `the run already ended as ${run.status}; resume with a new run id`);
  for (const s of skipped) {
    const accountId = deps.accountId;
    await deps.store.putCluster(state.runId, { clusterName: s.name, region: s.region, accountId, status: 'SKIPPED', step: 'SelectClusters' });
    await deps.store.updateCluster(state.runId, clusterKey({ accountId, region: s.region, name: s.name }), {
      error: { name: 'ClusterSkippedError', message: s.reason },
    });
  }
  for (const c of selected) {
    await deps.store.putCluster(state.runId, { clusterName: c.name, region: c.region, accountId: c.accountId, status: 'PENDING', step: 'SelectClusters' });
  }
  const names = [...new Set(selected.map((c) => c.wave))].sort(compareWaves);
  // Longest expected work first inside a wave (LPT scheduling): the Map starts the long upgrades early, so a wave
  // does not end with a few long clusters running alone while the concurrency limit sits idle (bench/README).
  // The sort is stable, so equal estimates keep the input order.
  const waves = names.map((name) => ({
    name,
    clusters: selected
      .filter((c) => c.wave === name)
      .sort((a, b) => b.expectedHops - a.expectedHops)
      .map(({ wave: _wave, expectedHops: _hops, ...rest }) => rest),
  }));
  return { waves, total: selected.length, skipped };
}
