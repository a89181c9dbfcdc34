import { readAlarms } from '../controls/alarm-state.js';
import type { WaveAction, WaveGateMemory, WaveOptions } from '../controls/wave-gate.js';
import { decideWave } from '../controls/wave-gate.js';
import { closeWave } from './close-lane-wave.js';
import type { StepDeps } from './step-deps.js';
import { CONTROL_DEFAULTS } from '../schemas/upgrade-defaults.js';
import type { WaveCursor } from './index-waves.js';

/** The wave the loop runs next (its lanes: the Distributed Map's items), or `done`, and what the gate decided. */
export interface WaveStep extends WaveCursor, Required<WaveGateMemory> {
  readonly done: boolean;
  readonly index: number;
  readonly name: string;
  readonly lanes: number[];
  /** The failure budget is spent or the run halted: the wave's lanes only record their clusters SKIPPED. */
  readonly halt: boolean;
  readonly failed: number;
  readonly reason: string | null;
  /** What the fleet workflow does next (NextWaveAction): `done`, or the wave gate's action. */
  readonly action: WaveAction | 'done';
  /** Seconds BakeWave or HoldWave waits. */
  readonly waitSeconds: number;
  /** Clusters and lanes in the wave (for the approval's notice). */
  readonly waveClusters: number;
  readonly laneCount: number;
  /** RequestApproval's TimeoutSeconds (`approval.timeoutSeconds`, or its default when only `waves` asks for one). */
  readonly approvalTimeoutSeconds: number;
}

/**
 * CheckFailureBudget: before each wave, the failure budget and the rollout controls (lib/controls/wave-gate.ts):
 * reads the next WAVE item, the run's counters, halt and control (one GetItem of the RUN item) and, when the run
 * names alarms, the alarms. At `failureThreshold` (0: never), or once the run halted, this wave and every later one
 * is halted — its lanes record their clusters SKIPPED with the reason — and the run remembers where. Otherwise the
 * wave before it bakes, a pause or an alarm holds it, an approval is asked for, or it goes.
 *
 * @example
 * await checkFailureBudget({ runId, options, waves: { count: 3, next: 1, clusters: 120 } }, deps)
 * // { done: false, index: 1, name: '1', lanes: [0, 4], halt: false, action: 'bake', waitSeconds: 3600, … }
 */
export async function checkFailureBudget(
  state: { runId: string; options: WaveOptions; waves: WaveCursor & WaveGateMemory & { index?: number | undefined; name?: string | undefined } },
  deps: StepDeps,
): Promise<WaveStep> {
  const { count, next, clusters } = state.waves;
  const memory = { bakedFor: state.waves.bakedFor ?? null, approvedFor: state.waves.approvedFor ?? null, holds: state.waves.holds ?? 0, heldSince: state.waves.heldSince ?? null };
  const approvalTimeoutSeconds = state.options.approval?.timeoutSeconds ?? CONTROL_DEFAULTS.approvalTimeoutSeconds;
  const idle = { count, clusters, index: next, name: '', lanes: [], halt: false, failed: 0, reason: null, action: 'done' as const, waitSeconds: 0, waveClusters: 0, laneCount: 0, approvalTimeoutSeconds, ...memory };
  // The wave that ran last is closed first (once): a lane that failed before counting its clusters is counted now.
  let run = next > 0 ? await deps.store.getRunCounts(state.runId) : null;
  if (run && !run.closedWaves.has(next - 1)) {
    const ran = await deps.store.getWave(state.runId, next - 1);
    // Lanes closed here changed the counters: read them again.
    if (ran && (await closeWave(state.runId, ran, run.counted, deps)) > 0) run = null;
  }
  if (next >= count) return { ...idle, done: true, next };
  const wave = await deps.store.getWave(state.runId, next);
  if (!wave) return { ...idle, done: true, next: count };
  const { counts, halted, control } = run ?? (await deps.store.getRunCounts(state.runId));
  const alarmRegion = state.options.alarms?.region ?? deps.region;
  const alarms = state.options.alarms && !halted && control?.state !== 'PAUSED' ? await readAlarms(deps.cloudWatchFor(alarmRegion), state.options.alarms.names) : null;
  // The wave that just ran: the previous look's own wave, or the WAVE item before this one.
  const previous =
    next === 0 ? null : state.waves.index === next - 1 && state.waves.name !== undefined ? state.waves.name : ((await deps.store.getWave(state.runId, next - 1))?.name ?? null);
  const failed = counts['waveFailed'] ?? 0;
  const decision = decideWave(state.options, { index: wave.index, name: wave.name, previous }, memory, { now: deps.now(), failed, halted, control, alarms, alarmRegion });
  if (decision.haltRun) await deps.store.markHalted(state.runId, { wave: wave.index, name: wave.name, reason: decision.haltRun });
  const halt = decision.action === 'halt';
  return {
    count,
    clusters,
    done: false,
    index: wave.index,
    name: wave.name,
    lanes: wave.lanes,
    halt,
    failed,
    reason: decision.reason,
    action: decision.action,
    waitSeconds: decision.waitSeconds,
    waveClusters: wave.clusters,
    laneCount: wave.lanes.length,
    approvalTimeoutSeconds,
    bakedFor: decision.bakedFor,
    approvedFor: decision.approvedFor,
    holds: decision.holds,
    heldSince: decision.heldSince,
    // The loop moves on only with a wave that runs (or is halted); a bake, hold or approval looks at it again.
    next: decision.action === 'go' || halt ? wave.index + 1 : wave.index,
  };
}
