import type { SimAlarms } from './alarms.js';
import { AlarmState } from '../../lib/fleet/fleet-file.js';

/**
 * CloudWatch's JSON protocol: `@aws-sdk/client-cloudwatch` 3.1164 (the version pinned here) speaks awsJson1_0 with
 * `X-Amz-Target: GraniteServiceVersion20100801.<Operation>` and the awsQuery-compatible error header
 * `x-amzn-query-error: <Code>;<Sender|Receiver>`, which the SDK reads for the error's name.
 */
export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/** An answer of the CloudWatch endpoint: status, body, and the query-compatible error code when it is an error. */
export interface CloudWatchAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly queryError?: string;
}

/** One CloudWatch request as the simulator logged it. */
export interface CloudWatchCall {
  readonly at: number;
  readonly operation: string;
  readonly region: string;
  readonly status: number;
}

const error = (status: number, code: string, message: string, fault: 'Sender' | 'Receiver' = 'Sender'): CloudWatchAnswer => ({
  status,
  body: { __type: `com.amazonaws.cloudwatch#${code}`, message },
  queryError: `${code};${fault}`,
});

// DescribeAlarms: "AlarmNames … Maximum number of 100 items", "MaxRecords … 1-100" (CloudWatch API reference).
const MAX_ALARM_NAMES = 100;
const DEFAULT_PAGE = 50;

/**
 * Answers one CloudWatch request over the simulated alarms: DescribeAlarms (by AlarmNames or AlarmNamePrefix, with
 * StateValue, MaxRecords and NextToken; metric alarms only) and SetAlarmState; anything else is refused as CloudWatch
 * refuses an unknown action.
 *
 * @example
 * cloudWatchRequest(alarms, 'DescribeAlarms', { AlarmNames: ['payments-5xx'] }, { region: 'us-east-1' }, now)
 * // { status: 200, body: { MetricAlarms: [{ AlarmName: 'payments-5xx', StateValue: 'OK', … }], CompositeAlarms: [] } }
 */
export function cloudWatchRequest(alarms: SimAlarms, operation: string, body: Record<string, unknown>, scope: { region: string; accountId?: string | undefined }, now: number): CloudWatchAnswer {
  const inScope = alarms.inScope(scope.region, scope.accountId);
  switch (operation) {
    case 'DescribeAlarms': {
      const names = body['AlarmNames'];
      const prefix = body['AlarmNamePrefix'];
      if (names !== undefined && (!Array.isArray(names) || names.length > MAX_ALARM_NAMES || names.some((n) => typeof n !== 'string')))
        return error(400, 'InvalidParameterValue', `The parameter AlarmNames must be a list of at most ${MAX_ALARM_NAMES} names.`);
      if (names !== undefined && prefix !== undefined) return error(400, 'InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together.');
      const types = body['AlarmTypes'];
      const metricAlarms = types === undefined || (Array.isArray(types) && types.includes('MetricAlarm'));
      const state = body['StateValue'];
      const selected = inScope
        .filter((a) => (Array.isArray(names) ? (names as string[]).includes(a.name) : typeof prefix === 'string' ? a.name.startsWith(prefix) : true))
        .map((a) => alarms.view(a, now))
        .filter((v) => state === undefined || v.state === state)
        .sort((a, b) => a.name.localeCompare(b.name));
      const pageSize = typeof body['MaxRecords'] === 'number' ? Math.min(100, Math.max(1, body['MaxRecords'])) : DEFAULT_PAGE;
      const start = typeof body['NextToken'] === 'string' ? Number(body['NextToken']) : 0;
      if (!Number.isInteger(start) || start < 0 || start > selected.length) return error(400, 'InvalidNextToken', 'The service cannot find the next token.');
      const page = metricAlarms ? selected.slice(start, start + pageSize) : [];
      const next = metricAlarms && start + pageSize < selected.length ? String(start + pageSize) : undefined;
      return {
        status: 200,
        body: {
          MetricAlarms: page.map((v) => ({
            AlarmName: v.name,
            AlarmArn: `arn:aws:cloudwatch:${v.region}:${v.accountId}:alarm:${v.name}`,
            StateValue: v.state,
            StateReason: v.reason,
            // awsJson1_0 sends timestamps as epoch seconds.
            StateUpdatedTimestamp: v.updatedAt / 1000,
            ActionsEnabled: true,
            Namespace: 'cni-fleet/simulated',
            MetricName: v.name,
            Statistic: 'Sum',
            Period: 60,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          })),
          CompositeAlarms: [],
          ...(next !== undefined ? { NextToken: next } : {}),
        },
      };
    }
    case 'SetAlarmState': {
      const name = body['AlarmName'];
      const parsed = AlarmState.safeParse(body['StateValue']);
      if (typeof name !== 'string' || !parsed.success) return error(400, 'InvalidParameterValue', 'SetAlarmState needs AlarmName and a StateValue of OK, ALARM or INSUFFICIENT_DATA.');
      const alarm = inScope.find((a) => a.name === name);
      if (!alarm) return error(404, 'ResourceNotFound', `Alarm ${name} not found`);
      alarms.set(alarm, parsed.data, typeof body['StateReason'] === 'string' ? body['StateReason'] : 'Set by SetAlarmState', now);
      return { status: 200, body: {} };
    }
    default:
      return error(400, 'InvalidAction', `The action ${operation} is not valid for this web service (the simulator serves DescribeAlarms and SetAlarmState).`);
  }
}
