import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** An alarm that stops new clusters from starting, and why. */
export interface BlockingAlarm {
  readonly name: string;
  /** CloudWatch's StateReason, or what went wrong reading it. */
  readonly reason: string;
  /** When it went into ALARM (ISO), when CloudWatch says. */
  readonly since: string | null;
}

/** What the run's alarms say now. */
export interface AlarmCheck {
  /** Alarms in ALARM. */
  readonly inAlarm: readonly BlockingAlarm[];
  /** Named alarms CloudWatch does not have in this Region (or the role may not read): a configuration error. */
  readonly missing: readonly string[];
  /** CloudWatch could not be read at all (throttled, unavailable, denied): the check is repeated at the next look. */
  readonly unreadable: string | null;
}

/** True when no new cluster may start on this check: an alarm in ALARM, a named alarm missing, or no answer. */
export const alarmsBlock = (check: AlarmCheck): boolean => check.inAlarm.length > 0 || check.missing.length > 0 || check.unreadable !== null;

/**
 * One line naming what blocks, e.g. `alarm payments-5xx is in ALARM since 2026-12-07T10:02:00.000Z (Threshold
 * Crossed: …)`; null when nothing does.
 */
export function alarmReason(check: AlarmCheck, region: string): string | null {
  if (check.missing.length > 0) return `alarm ${check.missing.map((n) => `"${n}"`).join(', ')} does not exist in ${region} (or cannot be read): check options.alarms.names`;
  const first = check.inAlarm[0];
  if (first)
    return `alarm "${first.name}" is in ALARM${first.since ? ` since ${first.since}` : ''} (${first.reason})${check.inAlarm.length > 1 ? ` and ${check.inAlarm.length - 1} more` : ''}`;
  if (check.unreadable !== null) return `the alarms could not be read in ${region}: ${check.unreadable}`;
  return null;
}

/**
 * Reads the run's alarms with DescribeAlarms (metric alarms by name, every page). A failure to read is not thrown:
 * the caller treats unread alarms as blocking (nothing starts on an unknown state) and looks again later.
 *
 * @example
 * const check = await readAlarms(cloudWatch, ['payments-5xx']); // { inAlarm: [{ name: 'payments-5xx', … }], missing: [], unreadable: null }
 */
export async function readAlarms(cloudWatch: CloudWatchClient, names: readonly string[]): Promise<AlarmCheck> {
  const seen = new Map<string, BlockingAlarm | null>();
  try {
    let nextToken: string | undefined;
    do {
      const page = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm'], ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const alarm of page.MetricAlarms ?? []) {
        if (!alarm.AlarmName) continue;
        seen.set(
          alarm.AlarmName,
          alarm.StateValue === 'ALARM' ? { name: alarm.AlarmName, reason: alarm.StateReason ?? 'no reason given', since: alarm.StateUpdatedTimestamp?.toISOString() ?? null } : null,
        );
      }
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    const e = error as { name?: string; message?: string };
    return { inAlarm: [], missing: [], unreadable: `${e.name ?? 'Error'}: ${e.message ?? String(error)}` };
  }
  return {
    inAlarm: names.flatMap((n) => {
      const found = seen.get(n);
      return found ? [found] : [];
    }),
    missing: names.filter((n) => !seen.has(n)),
    unreadable: null,
  };
}
