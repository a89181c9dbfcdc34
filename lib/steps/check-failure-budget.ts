import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import type { StepDeps } from './step-deps.js';
import type { Wave } from './select-clusters.js';
import { clusterKey } from '../workflow/state.js';

/**
 * CheckFailureBudget: before a wave starts, counts the run's FAILED clusters; at `failureThreshold` (0: never)
 * the wave and every later one is halted and its clusters are recorded SKIPPED with the reason.
 *
 * @example
 * await checkFailureBudget({ runId, wave, options }, deps) // { halt: false, failed: 0 }
 */
export async function checkFailureBudget(
  state: { runId: string; wave: Wave; options: Pick<UpgradeOptions, 'failureThreshold'> },
  deps: StepDeps,
): Promise<{ halt: boolean; failed: number }> {
  const clusters = await deps.store.listRunClusters(state.runId);
  const failed = clusters.filter((c) => c.cluster?.status === 'FAILED').length;
  const threshold = state.options.failureThreshold;
  const halt = threshold > 0 && failed >= threshold;
  if (halt) {
    for (const c of state.wave.clusters) {
      await deps.store.updateCluster(state.runId, clusterKey(c), {
        status: 'SKIPPED',
        step: 'CheckFailureBudget',
        error: { name: 'FailureThresholdReached', message: `wave "${state.wave.name || 'untagged'}" halted: ${failed} cluster(s) failed (threshold ${threshold})` },
        endedAt: deps.now().toISOString(),
      });
    }
  }
  return { halt, failed };
}
