import type { AlarmState, Fault, SimAlarm } from '../../lib/fleet/fleet-file.js';

/** One change of an alarm's state, at a virtual time. */
interface StateChange {
  readonly at: number;
  readonly state: AlarmState;
  readonly reason: string;
}

/** An alarm as the simulator keeps it: its definition and every change of state, in time order. */
export interface SimAlarmRecord {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly changes: StateChange[];
}

/** An alarm's state at one instant, as DescribeAlarms reports it. */
export interface AlarmView {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly state: AlarmState;
  readonly reason: string;
  /** Virtual epoch ms of the last change of state. */
  readonly updatedAt: number;
}

const INITIAL_REASON: Record<AlarmState, string> = {
  OK: 'Unchecked: Initial alarm creation',
  ALARM: 'Threshold Crossed: the fleet file starts this alarm in ALARM',
  INSUFFICIENT_DATA: 'Unchecked: Initial alarm creation',
};

/**
 * The CloudWatch alarms of a simulated world: each one's state over virtual time, from the fleet file's scheduled
 * changes, SetAlarmState calls and ALARM faults of accepted add-on updates. A state is read at a time, so the same
 * requests at the same virtual times always see the same states.
 */
export class SimAlarms {
  readonly alarms: SimAlarmRecord[];

  constructor(specs: readonly SimAlarm[], start: number) {
    this.alarms = specs.map((a) => ({
      name: a.name,
      region: a.region,
      accountId: a.accountId,
      changes: [
        { at: start, state: a.state, reason: a.reason ?? INITIAL_REASON[a.state] },
        ...a.changes.map((c) => ({ at: start + c.atSeconds * 1000, state: c.state, reason: c.reason ?? `Scheduled by the fleet file: ${c.state}` })),
      ].sort((x, y) => x.at - y.at),
    }));
  }

  /** The alarms a request sees: its Region, and its account when the caller names one. */
  inScope(region: string, accountId: string | undefined): SimAlarmRecord[] {
    return this.alarms.filter((a) => a.region === region && (accountId === undefined || a.accountId === accountId));
  }

  /** The alarm's state at `now`: the last change at or before it. */
  view(alarm: SimAlarmRecord, now: number): AlarmView {
    let current = alarm.changes[0] ?? { at: now, state: 'INSUFFICIENT_DATA' as const, reason: INITIAL_REASON.INSUFFICIENT_DATA };
    for (const change of alarm.changes) if (change.at <= now) current = change;
    return { name: alarm.name, region: alarm.region, accountId: alarm.accountId, state: current.state, reason: current.reason, updatedAt: current.at };
  }

  /** SetAlarmState: the state changes now (until the next scheduled change, as CloudWatch's own evaluation would). */
  set(alarm: SimAlarmRecord, state: AlarmState, reason: string, now: number): void {
    insert(alarm, { at: now, state, reason });
  }

  /**
   * The ALARM faults of an add-on change accepted at `now` on `cluster`: each raises its alarm `afterSeconds` later
   * and, with `durationSeconds`, clears it again.
   */
  raise(faults: readonly Fault[], cluster: string, now: number): void {
    for (const fault of faults) {
      const at = now + (fault.afterSeconds ?? 0) * 1000;
      for (const alarm of this.alarms.filter((a) => a.name === fault.alarm)) {
        insert(alarm, { at, state: 'ALARM', reason: fault.errorMessage ?? `Threshold Crossed: after the vpc-cni update of ${cluster}` });
        if (fault.durationSeconds !== undefined) insert(alarm, { at: at + fault.durationSeconds * 1000, state: 'OK', reason: 'Threshold Crossed: back to normal' });
      }
    }
  }
}

function insert(alarm: SimAlarmRecord, change: StateChange): void {
  const i = alarm.changes.findIndex((c) => c.at > change.at);
  if (i < 0) alarm.changes.push(change);
  else alarm.changes.splice(i, 0, change);
}
