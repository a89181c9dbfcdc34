import type { StepDeps } from './step-deps.js';
import type { RunSummary } from './summarize-run.js';
import { toPlainJson } from '../json.js';

/**
 * Closes a run of one cluster (a cluster execution started on its own, from ReleaseLock) from its records: with
 * one cluster, reading its records is the counter. Same statuses as SummarizeRun.
 *
 * @example
 * await summarizeClusterRun({ runId: 'exec-1' }, deps) // { status: 'SUCCEEDED', total: 1, byStatus: { UPGRADED: 1 }, … }
 */
export async function summarizeClusterRun(state: { runId: string }, deps: StepDeps): Promise<RunSummary> {
  const records = (await deps.store.listRunClusters(state.runId)).flatMap((r) => (r.cluster ? [{ cluster: r.cluster, hops: r.hops }] : []));
  const byStatus: Record<string, number> = {};
  for (const { cluster } of records) byStatus[cluster.status] = (byStatus[cluster.status] ?? 0) + 1;
  const hops = records.reduce((n, r) => n + r.hops.filter((h) => h.outcome === 'SUCCEEDED').length, 0);
  const failed = byStatus['FAILED'] ?? 0;
  const status = failed > 0 ? 'FAILED' : 'SUCCEEDED';
  const summary: RunSummary = { runId: state.runId, status, total: records.length, byStatus, hops, lanesFailed: 0, unaccounted: 0, cause: failed ? `${failed} of ${records.length} clusters FAILED` : null };
  await deps.store.finishRun(state.runId, { status, summary: toPlainJson({ ...summary }) });
  return summary;
}
