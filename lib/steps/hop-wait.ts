import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import type { HopState } from '../workflow/state.js';

/**
 * How long the workflow waits before looking at a hop, and between looks while EKS is still updating it
 * (docs/benchmark.md, "Polling: why the policy is shaped as it is").
 *
 * Every look is one DescribeAddon, one Lambda invocation and three state transitions, so the policy spends few of
 * them where the hop's end is likely and none where it is not:
 *
 * - **the estimate** is the geometric mean of what EKS took for this cluster's earlier hops in this run (same
 *   cluster, same nodes: the best predictor we have). EKS's duration is read from the add-on (`modifiedAt`), never
 *   from when a look happened to see it: an estimate that included the detection delay would grow hop after hop.
 *   Durations vary multiplicatively (a slow hop is slow by a factor), hence the geometric mean;
 * - **the first look** comes at the estimate itself (the median of what is expected). A lower quantile sees more hops
 *   in time but pays a look for every hop that is not done yet; at the read budget per hop the median is where
 *   extra looks stop paying for themselves;
 * - **later looks** follow every {@link POLL_FRACTION} of the estimate — the expected spread of a hop's duration is
 *   about a fifth of it — and never more than `pollIntervalSeconds` apart, nor less than {@link MIN_POLL_SECONDS};
 * - **with the rollout gate's soak** the hop ends when its last aws-node container has run the soak, which the gate
 *   computes from the pods' start times (`settledSeconds`): the first look waits for that when it is later than
 *   EKS's estimate;
 * - **the first hop** has no history: `expectedHopSeconds` (plus the soak), then every `pollIntervalSeconds`.
 */

/** Later looks come every this fraction of the estimate (at most pollIntervalSeconds apart). */
export const POLL_FRACTION = 0.15;
/** Never look more often than this while EKS updates: a DescribeAddon a second would buy nothing. */
export const MIN_POLL_SECONDS = 5;

type WaitOptions = Pick<UpgradeOptions, 'expectedHopSeconds' | 'pollIntervalSeconds' | 'kubernetesAccess' | 'rolloutSoakSeconds'>;

/** EKS's own durations of this cluster's earlier hops, the one that just ended included (ApplyHop carries them on). */
export function earlierDurations(previous: Pick<HopState, 'earlierSeconds' | 'durationSeconds' | 'updateId' | 'kind'> | undefined): number[] {
  if (!previous) return [];
  const earlier = [...(previous.earlierSeconds ?? [])];
  // A hop found already done (durationSeconds 0, no update) says nothing about how long one takes.
  if (previous.durationSeconds !== null && previous.durationSeconds > 0) earlier.push(previous.durationSeconds);
  return earlier;
}

/** The geometric mean of the durations, or undefined without any. */
export function estimateSeconds(earlier: readonly number[]): number | undefined {
  if (earlier.length === 0) return undefined;
  return Math.exp(earlier.reduce((sum, s) => sum + Math.log(Math.max(1, s)), 0) / earlier.length);
}

/** The soak the gate waits for after EKS is done (0 when it does not read aws-node). */
const soakOf = (options: WaitOptions): number => (options.kubernetesAccess === 'off' ? 0 : options.rolloutSoakSeconds);

/**
 * Seconds from the hop's start to its first look.
 *
 * @example
 * firstWaitSeconds(options, [84, 92], null) // 88 (soak off)
 */
export function firstWaitSeconds(options: WaitOptions, earlier: readonly number[], previousSettledSeconds: number | null): number {
  const soak = soakOf(options);
  const estimate = estimateSeconds(earlier);
  if (estimate === undefined) return Math.max(1, Math.ceil(options.expectedHopSeconds + soak));
  // Without a soak the gate's "settled" is only the moment of the look that passed it: it would carry the delay on.
  const settled = soak > 0 && previousSettledSeconds !== null ? previousSettledSeconds : 0;
  return Math.max(1, Math.round(Math.max(estimate, settled)));
}

/**
 * Seconds until the next look when EKS was still updating at this one.
 *
 * @example
 * nextPollSeconds({ pollIntervalSeconds: 15, … }, [84, 92]) // 13
 */
export function nextPollSeconds(options: WaitOptions, earlier: readonly number[]): number {
  const estimate = estimateSeconds(earlier);
  if (estimate === undefined) return options.pollIntervalSeconds;
  return Math.max(1, Math.min(options.pollIntervalSeconds, Math.max(MIN_POLL_SECONDS, Math.round(POLL_FRACTION * estimate))));
}
