/**
 * The Step Functions quotas the local runner enforces, so that a rehearsal refuses what AWS refuses. Where each
 * number comes from, and how the runner applies it, is in docs/local-runner.md.
 */

/** Largest input or output of a task, a state or an execution: 256 KiB of UTF-8 JSON text. */
export const PAYLOAD_LIMIT_BYTES = 262_144;

/** Events in one execution's history; the 25,000th may only be ExecutionSucceeded. */
export const HISTORY_LIMIT_EVENTS = 25_000;

/** Iterations an inline Map runs at once, whatever its MaxConcurrency says (0 or absent means this many). */
export const INLINE_MAP_MAX_CONCURRENCY = 40;

/** Child executions a Distributed Map runs at once when MaxConcurrency is 0 or absent, and at most. */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;

/**
 * Bytes of the UTF-8 JSON text of a value, as Step Functions measures a payload. JSON.stringify escapes nothing
 * outside ASCII, so the UTF-8 length of its output is the length AWS counts.
 */
export function payloadBytes(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}
