import type { RunHalt } from '../store/fleet-records.js';

export type { RunHalt };

/**
 * The wave index of a halt decided while a wave runs (a cluster's start gate: an alarm in `halt` mode, a pause past
 * its bound): the clusters' executions do not know their wave, and the next wave's gate halts what is left anyway.
 */
export const DURING_WAVES = -1;

/**
 * One clause for a halt, as the summary, the report and a SKIPPED cluster's record say it.
 *
 * @example
 * haltText({ wave: 1, name: '1', reason: '3 cluster(s) FAILED, failure threshold 1' }) // 'halted before wave 2 (1): 3 cluster(s) FAILED, failure threshold 1'
 * haltText({ wave: -1, name: '', reason: 'alarm "payments-5xx" is in ALARM' }) // 'halted: alarm "payments-5xx" is in ALARM'
 */
export function haltText(halt: RunHalt): string {
  return halt.wave === DURING_WAVES ? `halted: ${halt.reason}` : `halted before wave ${halt.wave + 1} (${halt.name || 'untagged'}): ${halt.reason}`;
}
