import { MaintenanceWindowTagError, OutsideMaintenanceWindowError, RunHaltedError, type CniFleetError } from '../errors.js';
import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import { CONTROL_DEFAULTS } from '../schemas/upgrade-defaults.js';
import type { ClusterHold, HoldEpisode, RunGate } from '../store/control-records.js';
import type { AlarmCheck } from './alarm-state.js';
import { alarmReason, alarmsBlock, readAlarms } from './alarm-state.js';
import { describeWindow, parseWindow, windowStatus, WindowSyntaxError } from './maintenance-window.js';
import { DURING_WAVES, haltText } from './run-halt.js';
import type { CloudWatchClientFactory } from '../aws/clients.js';
import type { ProgressStore } from '../store/progress-store.js';

/** What the start gate needs of a step's dependencies (lib/steps/step-deps.ts StepDeps provides it). */
export interface StartGateDeps {
  readonly store: Pick<ProgressStore, 'getRunGate' | 'markHalted' | 'updateCluster' | 'setClusterHold'>;
  readonly cloudWatchFor: CloudWatchClientFactory;
  readonly now: () => Date;
  /** The Region alarms are read in when the run names none. */
  readonly region: string;
}

/**
 * Looks a cluster's execution may make while held before its first change. Each look is a few state transitions
 * and about 15 history events (the hold loop: AcquireLock, TakeSnapshot, IsStartHeld, HoldStart), so 1,000 looks
 * keep the execution far below Step Functions' 25,000 events with room for its hops.
 */
export const MAX_START_CHECKS = 1_000;

/** The cluster's window as a record shows it. */
export interface WindowInfo {
  readonly text: string;
  readonly open: boolean;
  readonly earliestStart: string;
}

/** What the controls decide for a cluster about to start. */
export type StartDecision =
  | { readonly kind: 'go'; readonly window: WindowInfo | null; readonly ended?: HoldEpisode }
  | { readonly kind: 'hold'; readonly hold: ClusterHold; readonly waitSeconds: number; readonly window: WindowInfo | null; readonly ended?: HoldEpisode }
  | {
      readonly kind: 'stop';
      readonly error: CniFleetError;
      /** The run halts with this reason (every later cluster and wave is SKIPPED); absent: only this cluster stops. */
      readonly haltRun?: string;
      readonly window: WindowInfo | null;
      readonly ended?: HoldEpisode;
    };

/** The options the start gate reads. */
export type StartOptions = Pick<UpgradeOptions, 'alarms' | 'windows' | 'controlPollSeconds' | 'maxPauseSeconds' | 'dryRun'>;

/** What the gate knows at the moment it decides. */
export interface StartFacts {
  readonly now: Date;
  /** The RUN item's status, control and halt; null when the run has no record. */
  readonly run: RunGate | null;
  /** The run's alarms now; null when the run names none (or in a dry run). */
  readonly alarms: AlarmCheck | null;
  readonly alarmRegion: string;
  /** The cluster's tags (DescribeCluster). */
  readonly tags: Readonly<Record<string, string>>;
  /** The hold of the previous look, when the cluster was held. */
  readonly previous: ClusterHold | null;
  /** The longest single wait: half the lock's lifetime, so each look renews the lock in time. */
  readonly maxWaitSeconds: number;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
const iso = (date: Date): string => date.toISOString();

/**
 * The rollout controls before a cluster's first change, in order: a halted run starts nothing; a paused run holds
 * (bounded by `maxPauseSeconds`, then the run halts); an alarm in ALARM holds (`pause`, bounded by the alarms'
 * `maxPauseSeconds`, then the run halts) or halts the run (`halt`); outside its maintenance window the cluster waits
 * for it (bounded by `windows.maxWaitSeconds`) or is deferred. A dry run only reads the window.
 *
 * @example
 * decideClusterStart('111122223333/us-east-1/prod', options, { now, run, alarms: null, alarmRegion: 'us-east-1', tags: { 'cni-fleet/window': 'Sat 02:00-06:00 UTC' }, previous: null, maxWaitSeconds: 2100 })
 * // { kind: 'hold', hold: { kind: 'window', reason: 'outside its maintenance window …', until: '2026-12-12T02:00:00.000Z', … }, waitSeconds: 2100, … }
 */
export function decideClusterStart(key: string, options: StartOptions, facts: StartFacts): StartDecision {
  const { now, previous } = facts;
  const ended = (outcome: HoldEpisode['outcome']): HoldEpisode | undefined =>
    previous ? { kind: previous.kind, reason: previous.reason, from: previous.since, to: iso(now), outcome } : undefined;
  const withEnded = <T extends object>(decision: T, outcome: HoldEpisode['outcome']): T => {
    const episode = ended(outcome);
    return episode ? { ...decision, ended: episode } : decision;
  };

  // The window first: a dry run records it, and a tag that cannot be read leaves the cluster alone either way.
  const windows = options.windows;
  const windowTag = windows?.tag ?? CONTROL_DEFAULTS.windowTag;
  const tagValue = facts.tags[windowTag];
  let window: WindowInfo | null = null;
  let opensAt: Date | null = null;
  if (tagValue !== undefined) {
    try {
      const parsed = parseWindow(tagValue);
      const status = windowStatus(parsed, now);
      window = { text: describeWindow(parsed), open: status.open, earliestStart: iso(status.opensAt) };
      if (!status.open) opensAt = status.opensAt;
    } catch (error) {
      if (!(error instanceof WindowSyntaxError)) throw error;
      return withEnded({ kind: 'stop', error: new MaintenanceWindowTagError(key, windowTag, tagValue, error.problem), window: null }, 'deferred');
    }
  }
  if (options.dryRun) return { kind: 'go', window };

  const hold = (kind: ClusterHold['kind'], reason: string, until: Date | null, waitSeconds: number): StartDecision => {
    const same = previous?.kind === kind;
    const decision = {
      kind: 'hold' as const,
      hold: { kind, reason, since: same && previous ? previous.since : iso(now), until: until ? iso(until) : null, checks: (previous?.checks ?? 0) + 1 },
      waitSeconds: Math.min(waitSeconds, facts.maxWaitSeconds),
      window,
    };
    return same ? decision : withEnded(decision, 'changed');
  };
  const halt = (reason: string): StartDecision => withEnded({ kind: 'stop', error: new RunHaltedError(key, reason), haltRun: reason, window }, 'halted');

  const halted = facts.run?.halted;
  if (halted) return withEnded({ kind: 'stop', error: new RunHaltedError(key, `the run ${haltText(halted)}`), window }, 'halted');
  if ((previous?.checks ?? 0) >= MAX_START_CHECKS)
    return withEnded(
      { kind: 'stop', error: new RunHaltedError(key, `held ${previous?.checks ?? 0} times (${previous?.reason ?? ''}): deferred to the next run, within Step Functions' history limit`), window },
      'deferred',
    );

  const control = facts.run?.control;
  if (control?.state === 'PAUSED') {
    const pausedFor = (now.getTime() - Date.parse(control.at)) / 1000;
    const by = `${control.by}${control.reason ? `: ${control.reason}` : ''}`;
    if (pausedFor > options.maxPauseSeconds) return halt(`paused by ${by} at ${control.at}, longer than maxPauseSeconds (${options.maxPauseSeconds} s)`);
    return hold('pause', `the run is paused by ${by} (since ${control.at})`, null, options.controlPollSeconds);
  }

  const alarms = options.alarms;
  if (alarms && facts.alarms && alarmsBlock(facts.alarms)) {
    const reason = alarmReason(facts.alarms, facts.alarmRegion) ?? 'an alarm blocks';
    if (facts.alarms.missing.length > 0) return halt(reason);
    if (alarms.whileInAlarm === 'halt') return halt(reason);
    const since = previous?.kind === 'alarm' ? Date.parse(previous.since) : now.getTime();
    if ((now.getTime() - since) / 1000 > alarms.maxPauseSeconds) return halt(`${reason}; waited longer than alarms.maxPauseSeconds (${alarms.maxPauseSeconds} s)`);
    return hold('alarm', reason, null, options.controlPollSeconds);
  }

  if (opensAt && window) {
    const outside = windows?.outside ?? CONTROL_DEFAULTS.outsideWindow;
    const maxWait = windows?.maxWaitSeconds ?? CONTROL_DEFAULTS.maxWindowWaitSeconds;
    const since = previous?.kind === 'window' ? Date.parse(previous.since) : now.getTime();
    const why =
      outside === 'defer'
        ? 'options.windows.outside is defer'
        : (opensAt.getTime() - since) / 1000 > maxWait
          ? `it opens beyond windows.maxWaitSeconds (${maxWait} s) of waiting`
          : null;
    if (why !== null) return withEnded({ kind: 'stop', error: new OutsideMaintenanceWindowError(key, window.text, iso(opensAt), why), window }, 'deferred');
    return hold('window', `outside its maintenance window ${window.text}; it opens ${iso(opensAt)}`, opensAt, seconds(opensAt.getTime() - now.getTime()));
  }
  return withEnded({ kind: 'go', window }, 'started');
}

/**
 * The start gate of a cluster (TakeSnapshot, once DescribeCluster gave its tags): reads the run's control and halt
 * (one GetItem) and, when the run names alarms, the alarms (one DescribeAlarms), decides, and records it — the hold
 * on the cluster's record, a hold that ended in its `holds`, the run's halt.
 *
 * @example
 * const decision = await checkClusterStart(state, cluster.tags ?? {}, deps); // decision.kind === 'go'
 */
export async function checkClusterStart(
  state: { runId: string; cluster: { key: string }; options: StartOptions & Pick<UpgradeOptions, 'hopTimeoutSeconds'> },
  tags: Readonly<Record<string, string>>,
  previous: ClusterHold | null,
  maxWaitSeconds: number,
  deps: StartGateDeps,
): Promise<StartDecision> {
  const { options } = state;
  const run = options.dryRun ? null : await deps.store.getRunGate(state.runId);
  const alarmRegion = options.alarms?.region ?? deps.region;
  const alarms = options.alarms && !options.dryRun && !run?.halted && run?.control?.state !== 'PAUSED' ? await readAlarms(deps.cloudWatchFor(alarmRegion), options.alarms.names) : null;
  const decision = decideClusterStart(state.cluster.key, options, { now: deps.now(), run, alarms, alarmRegion, tags, previous, maxWaitSeconds });
  if (decision.kind === 'stop' && decision.haltRun) await deps.store.markHalted(state.runId, { wave: DURING_WAVES, name: '', reason: decision.haltRun });
  // A cluster that starts has its window recorded with its snapshot; one held or stopped has it here.
  if (decision.kind !== 'go' && decision.window) await deps.store.updateCluster(state.runId, state.cluster.key, { window: decision.window });
  if (decision.kind === 'hold') await deps.store.setClusterHold(state.runId, state.cluster.key, decision.hold, decision.ended);
  else if (previous) await deps.store.setClusterHold(state.runId, state.cluster.key, null, decision.ended);
  return decision;
}
