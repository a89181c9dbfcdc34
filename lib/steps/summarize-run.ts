import type { StepDeps } from './step-deps.js';
import { toPlainJson } from '../store/json-value.js';

export interface RunSummary {
  readonly runId: string;
  readonly total: number;
  readonly byStatus: Record<string, number>;
  readonly hops: number;
  readonly failed: { readonly name: string; readonly region: string; readonly status: string; readonly error: string }[];
}

/**
 * SummarizeRun: reads every cluster record of the run, closes the run item (SUCCEEDED when nothing FAILED,
 * else FAILED; HALTED when a wave was halted) and returns the counts plus the clusters that need a look.
 *
 * @example
 * await summarizeRun({ runId: 'weekly-dev' }, deps) // { total: 12, byStatus: { UPGRADED: 9, UNCHANGED: 1, BLOCKED: 1, FAILED: 1 }, … }
 */
export async function summarizeRun(state: { runId: string }, deps: StepDeps): Promise<RunSummary> {
  const clusters = await deps.store.listRunClusters(state.runId);
  const byStatus: Record<string, number> = {};
  let hops = 0;
  const records = clusters.flatMap((r) => (r.cluster ? [{ cluster: r.cluster, hops: r.hops }] : []));
  for (const { cluster, hops: h } of records) {
    byStatus[cluster.status] = (byStatus[cluster.status] ?? 0) + 1;
    hops += h.filter((x) => x.outcome === 'SUCCEEDED').length;
  }
  const failed = records
    .filter(({ cluster }) => cluster.status === 'FAILED' || cluster.status === 'BLOCKED' || (cluster.status === 'SKIPPED' && cluster.error))
    .map(({ cluster }) => ({ name: cluster.clusterName, region: cluster.region, status: cluster.status, error: cluster.error ? `${cluster.error.name}: ${cluster.error.message}` : '' }));
  const halted = records.some(({ cluster }) => cluster.error?.name === 'FailureThresholdReached');
  const status = halted ? 'HALTED' : byStatus.FAILED ? 'FAILED' : 'SUCCEEDED';
  const summary: RunSummary = { runId: state.runId, total: records.length, byStatus, hops, failed };
  await deps.store.finishRun(state.runId, { status, summary: toPlainJson({ ...summary }) });
  return summary;
}
