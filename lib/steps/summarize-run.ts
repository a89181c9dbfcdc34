import type { StepDeps } from './step-deps.js';
import { haltText } from '../controls/run-halt.js';
import { toPlainJson } from '../json.js';

/** The run's outcome: counts only (the records name the clusters), a status and, when it failed, why. */
export interface RunSummary {
  readonly runId: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'HALTED';
  readonly total: number;
  readonly byStatus: Record<string, number>;
  readonly hops: number;
  /** Lanes that could not be discovered (a role that cannot be assumed, a Region that cannot be listed). */
  readonly lanesFailed: number;
  /** Clusters discovered but never counted: their lane's wave child failed outside its own Catch. */
  readonly unaccounted: number;
  /** One line: what failed and where the run halted; null when the run succeeded. */
  readonly cause: string | null;
}

const OUTCOMES = ['UPGRADED', 'UNCHANGED', 'PLANNED', 'FAILED', 'ABORTED', 'BLOCKED', 'SKIPPED', 'PENDING', 'RUNNING'] as const;

/**
 * SummarizeRun: closes the run from its counters (atomic counts the lane children added; no scan of the
 * clusters' records): HALTED when the failure budget stopped it, FAILED when a cluster failed or was aborted, a lane
 * could not be discovered or a cluster has no outcome, else SUCCEEDED. The fleet execution then ends with the same verdict:
 * FAILED, with `cause` as the execution's cause, e.g. `3 of 120 clusters FAILED; halted before wave 2 (1)`.
 *
 * @example
 * await summarizeRun({ runId: 'weekly-dev' }, deps) // { status: 'FAILED', total: 12, byStatus: { UPGRADED: 9, FAILED: 1, … }, cause: '1 of 12 clusters FAILED' }
 */
export async function summarizeRun(state: { runId: string }, deps: StepDeps): Promise<RunSummary> {
  const { counts, halted } = await deps.store.getRunCounts(state.runId);
  const n = (key: string): number => counts[key] ?? 0;
  const byStatus: Record<string, number> = {};
  for (const status of OUTCOMES) {
    const value = n(status) + (status === 'FAILED' ? n('discoveryFailed') : status === 'SKIPPED' ? n('discoverySkipped') : 0);
    if (value > 0) byStatus[status] = value;
  }
  const total = n('clusters');
  const accounted = Object.values(byStatus).reduce((a, b) => a + b, 0) - (byStatus['PENDING'] ?? 0) - (byStatus['RUNNING'] ?? 0);
  const unaccounted = Math.max(0, total - accounted);
  const lanesFailed = n('lanesFailed');
  const failed = byStatus['FAILED'] ?? 0;
  const parts: string[] = [];
  if (failed > 0) parts.push(`${failed} of ${total} clusters FAILED${n('discoveryFailed') ? ` (${n('discoveryFailed')} while discovering)` : ''}`);
  const aborted = byStatus['ABORTED'] ?? 0;
  if (aborted > 0) parts.push(`${aborted} of ${total} clusters ABORTED`);
  if (halted) parts.push(haltText(halted));
  if (lanesFailed > 0) parts.push(`${lanesFailed} lane(s) could not be discovered`);
  if (unaccounted > 0) parts.push(`${unaccounted} of ${total} clusters have no outcome`);
  const status = halted ? 'HALTED' : parts.length > 0 ? 'FAILED' : 'SUCCEEDED';
  const summary: RunSummary = { runId: state.runId, status, total, byStatus, hops: n('hops'), lanesFailed, unaccounted, cause: parts.length ? parts.join('; ') : null };
  await deps.store.finishRun(state.runId, { status, summary: toPlainJson({ ...summary }) });
  return summary;
}

