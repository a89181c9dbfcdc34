import type { UpgradeOptions, WaveControls } from '../schemas/upgrade-options.js';
import type { RunControl } from '../store/control-records.js';
import type { AlarmCheck } from './alarm-state.js';
import { alarmReason, alarmsBlock } from './alarm-state.js';

/**
 * Looks the fleet may make while it holds a wave (a paused run, an alarm): each is about 10 events of the fleet
 * execution's history (CheckFailureBudget, NextWaveAction, HoldWave), so 1,500 keep it far below 25,000.
 */
export const MAX_WAVE_HOLDS = 1_500;

/** What happens next between waves. */
export type WaveAction = 'go' | 'halt' | 'bake' | 'hold' | 'approve';

/** The options the wave gate reads. */
export type WaveOptions = Pick<UpgradeOptions, 'failureThreshold' | 'bakeSeconds' | 'waves' | 'approval' | 'alarms' | 'controlPollSeconds' | 'maxPauseSeconds'>;

/** The wave gate's memory between its looks, carried in the fleet's `$.work`. */
export interface WaveGateMemory {
  /** The wave whose bake (after the wave before it) has been waited. */
  readonly bakedFor?: number | null | undefined;
  /** The wave an operator approved. */
  readonly approvedFor?: number | null | undefined;
  /** Looks made while holding, in this run. */
  readonly holds?: number | undefined;
  /** When the current hold began (ISO). */
  readonly heldSince?: string | null | undefined;
}

/** The wave the gate looks at. */
export interface GateWave {
  readonly index: number;
  readonly name: string;
  /** The wave that ran before it (null before the first). */
  readonly previous: string | null;
}

/** What the gate knows now. */
export interface WaveFacts {
  readonly now: Date;
  /** Clusters FAILED in earlier waves (the failure budget's counter). */
  readonly failed: number;
  /** Where the run already halted. */
  readonly halted: { readonly reason: string } | null;
  readonly control: RunControl | null;
  readonly alarms: AlarmCheck | null;
  readonly alarmRegion: string;
}

/** The gate's verdict: the action, why, how long a bake or hold waits, and what it remembers. */
export interface WaveDecision extends Required<WaveGateMemory> {
  readonly action: WaveAction;
  readonly reason: string | null;
  readonly waitSeconds: number;
  /** A halt the run records (the first halt wins). */
  readonly haltRun: string | null;
}

/** The wave's own controls: `untagged` names the wave of clusters without the wave tag. */
export function waveControls(options: Pick<UpgradeOptions, 'waves'>, wave: string): WaveControls | undefined {
  return options.waves?.[wave === '' ? 'untagged' : wave];
}

/** Whether an operator must approve the wave before it starts. */
export function needsApproval(options: Pick<UpgradeOptions, 'waves' | 'approval'>, wave: { index: number; name: string }): boolean {
  return waveControls(options, wave.name)?.approval ?? (options.approval?.everyWave === true && wave.index > 0);
}

/**
 * Between waves, in order: a spent failure budget or a halted run halts the wave; the wave before it bakes
 * (`bakeSeconds`, or its own in `waves`); a paused run and an alarm in ALARM hold it (bounded, then the run halts;
 * an alarm in `halt` mode halts at once); an approval is asked for; then it goes.
 *
 * @example
 * decideWave(options, { index: 1, name: '1', previous: 'canary' }, {}, { now, failed: 0, halted: null, control: null, alarms: null, alarmRegion: 'us-east-1' })
 * // { action: 'bake', waitSeconds: 3600, bakedFor: 1, … }
 */
export function decideWave(options: WaveOptions, wave: GateWave, memory: WaveGateMemory, facts: WaveFacts): WaveDecision {
  const kept = { bakedFor: memory.bakedFor ?? null, approvedFor: memory.approvedFor ?? null, holds: memory.holds ?? 0, heldSince: null as string | null };
  const decision = (action: WaveAction, reason: string | null, extra: Partial<WaveDecision> = {}): WaveDecision => ({ ...kept, action, reason, waitSeconds: 0, haltRun: null, ...extra });
  const halt = (reason: string): WaveDecision => decision('halt', reason, { haltRun: reason });

  if (facts.halted) return decision('halt', facts.halted.reason);
  const threshold = options.failureThreshold;
  if (threshold > 0 && facts.failed >= threshold) return halt(`${facts.failed} cluster(s) FAILED, failure threshold ${threshold}`);

  if (wave.previous !== null && kept.bakedFor !== wave.index) {
    const bake = waveControls(options, wave.previous)?.bakeSeconds ?? options.bakeSeconds;
    if (bake > 0) return decision('bake', `wave ${wave.index} (${wave.previous || 'untagged'}) bakes ${bake} s before wave ${wave.index + 1}`, { waitSeconds: bake, bakedFor: wave.index });
  }

  const hold = (reason: string, bound: number, bounded: string): WaveDecision => {
    const since = memory.heldSince ?? facts.now.toISOString();
    if ((facts.now.getTime() - Date.parse(since)) / 1000 > bound) return halt(`${reason}; waited longer than ${bounded} (${bound} s)`);
    if (kept.holds >= MAX_WAVE_HOLDS) return halt(`${reason}; held ${kept.holds} times, the most one fleet execution's history allows`);
    return decision('hold', reason, { waitSeconds: options.controlPollSeconds, holds: kept.holds + 1, heldSince: since });
  };
  const control = facts.control;
  if (control?.state === 'PAUSED') {
    const reason = `the run is paused by ${control.by}${control.reason ? `: ${control.reason}` : ''} (since ${control.at})`;
    if ((facts.now.getTime() - Date.parse(control.at)) / 1000 > options.maxPauseSeconds) return halt(`${reason}; paused longer than maxPauseSeconds (${options.maxPauseSeconds} s)`);
    return decision('hold', reason, { waitSeconds: options.controlPollSeconds, holds: kept.holds + 1, heldSince: memory.heldSince ?? facts.now.toISOString() });
  }
  const alarms = options.alarms;
  if (alarms && facts.alarms && alarmsBlock(facts.alarms)) {
    const reason = alarmReason(facts.alarms, facts.alarmRegion) ?? 'an alarm blocks';
    if (facts.alarms.missing.length > 0 || alarms.whileInAlarm === 'halt') return halt(reason);
    return hold(reason, alarms.maxPauseSeconds, 'alarms.maxPauseSeconds');
  }

  if (needsApproval(options, wave) && kept.approvedFor !== wave.index) return decision('approve', `wave ${wave.index + 1} (${wave.name || 'untagged'}) waits for an approval`);
  return decision('go', null);
}
