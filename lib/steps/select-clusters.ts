import { DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { Cluster } from '@aws-sdk/client-eks';
import { isNotFound, translateEksError } from '../aws/eks-errors.js';
import { StepAlreadyRecordedError } from '../errors.js';
import { clusterKey } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';
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

const accountOfArn = (arn: string | undefined): string | undefined => arn?.split(':')[4];

/**
 * Wave order: `canary` first, then the other wave tag values in natural order (`1` < `2` < `10`), untagged
 * clusters last — so a problem shows on few clusters before it reaches many.
 */
export const compareWaves = (a: string, b: string): number => {
  const rank = (w: string): number => (w === 'canary' ? 0 : w === '' ? 2 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
};

/**
 * SelectClusters: resolves the run's clusters — the explicit list, or ListClusters per region (and account,
 * through its role) filtered by tags and name prefix — drops those opted out by the skip tag and those that
 * DescribeCluster no longer finds (ListClusters can list ghosts: facts §7.5), records the run and its clusters
 * (PENDING, or SKIPPED with the reason), and groups them into waves by the wave tag.
 *
 * @example
 * await selectClusters(state, deps) // { waves: [{ name: 'canary', clusters: [...] }, { name: '', clusters: [...] }], total: 12, skipped: [...] }
 */
export async function selectClusters(state: FleetState, deps: StepDeps): Promise<Selection> {
  const candidates: { name: string; region: string; roleArn?: string | undefined; accountId?: string | undefined }[] = [];
  if (state.clusters) {
    candidates.push(...state.clusters);
  } else if (state.selector) {
    const scopes = state.selector.accounts?.map((a) => ({ roleArn: a.roleArn as string | undefined, accountId: a.accountId as string | undefined })) ?? [
      { roleArn: undefined, accountId: undefined },
    ];
    for (const scope of scopes) {
      for (const region of state.selector.regions) {
        const eks = deps.eksFor({ region, roleArn: scope.roleArn });
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

  const selected: (SelectedCluster & { wave: string })[] = [];
  const skipped: Selection['skipped'] = [];
  for (const c of candidates) {
    let cluster: Cluster | undefined;
    try {
      cluster = (await deps.eksFor({ region: c.region, roleArn: c.roleArn }).send(new DescribeClusterCommand({ name: c.name }))).cluster;
    } catch (error) {
      if (!isNotFound(error)) translateEksError(error);
    }
    if (!cluster) {
      skipped.push({ name: c.name, region: c.region, reason: 'DescribeCluster found no such cluster' });
      continue;
    }
    const tags = cluster.tags ?? {};
    const wanted = state.selector?.tags ?? {};
    if (Object.entries(wanted).some(([k, v]) => tags[k] !== v)) continue;
    const accountId = c.accountId ?? accountOfArn(cluster.arn) ?? deps.accountId;
    if (tags[state.skipTag] === 'true') {
      skipped.push({ name: c.name, region: c.region, reason: `opted out by tag ${state.skipTag}=true` });
      continue;
    }
    selected.push({ name: c.name, region: c.region, accountId, ...(c.roleArn ? { roleArn: c.roleArn } : {}), wave: tags[state.waveTag] ?? '' });
  }

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
  const waves = names.map((name) => ({ name, clusters: selected.filter((c) => c.wave === name).map(({ wave: _wave, ...rest }) => rest) }));
  return { waves, total: selected.length, skipped };
}
