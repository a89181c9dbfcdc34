import type { z } from 'zod';
import { InputValidationError } from '../errors.js';
import { AccountId, ClusterName, Region } from '../fleet/names.js';

/** The parts of a cluster key. */
export interface ClusterRefParts {
  readonly accountId: string;
  readonly region: string;
  readonly clusterName: string;
}

/**
 * The key that names a cluster across accounts and regions: `${accountId}/${region}/${clusterName}`.
 * None of the three parts can contain `/` or `#` (ClusterName: docs/eks-behaviour.md#names-and-lengths; 12-digit
 * account ids; region names), so the key can sit inside a sort key and be split again.
 *
 * @throws InputValidationError when a part is not an account id, a region or an EKS cluster name
 * @example
 * clusterKeyOf({ accountId: '111122223333', region: 'eu-west-1', clusterName: 'prod' }) // '111122223333/eu-west-1/prod'
 */
export function clusterKeyOf(parts: ClusterRefParts): string {
  check(AccountId, parts.accountId, 'accountId');
  check(Region, parts.region, 'region');
  check(ClusterName, parts.clusterName, 'clusterName');
  return `${parts.accountId}/${parts.region}/${parts.clusterName}`;
}

/**
 * Splits a cluster key into its parts.
 *
 * @throws InputValidationError naming `clusterKey` when the text is not `account/region/name`
 * @example
 * parseClusterKey('111122223333/eu-west-1/prod') // { accountId: '111122223333', region: 'eu-west-1', clusterName: 'prod' }
 */
export function parseClusterKey(clusterKey: string): ClusterRefParts {
  const parts = typeof clusterKey === 'string' ? clusterKey.split('/') : [];
  const [accountId, region, clusterName] = parts;
  if (parts.length !== 3 || accountId === undefined || region === undefined || clusterName === undefined) {
    throw new InputValidationError('clusterKey', `"${String(clusterKey)}" is not accountId/region/clusterName`);
  }
  clusterKeyOf({ accountId, region, clusterName });
  return { accountId, region, clusterName };
}

/**
 * Checks a cluster name (EKS ClusterName shape).
 *
 * @throws InputValidationError naming `clusterName`
 * @example
 * checkClusterName('prod') // 'prod'
 */
export function checkClusterName(clusterName: string): string {
  check(ClusterName, clusterName, 'clusterName');
  return clusterName;
}

/**
 * Checks a run id: it becomes part of keys, so it must be non-empty, at most 256 characters and free of `#`.
 * Execution names (≤ 80 of `[A-Za-z0-9-_]`) and execution ARNs both qualify.
 *
 * @throws InputValidationError naming `runId`
 * @example
 * checkRunId('run-2026-11-22') // 'run-2026-11-22'
 */
export function checkRunId(runId: string): string {
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 256 || runId.includes('#')) {
    throw new InputValidationError('runId', `"${String(runId)}" must be 1–256 characters without "#"`);
  }
  return runId;
}

/**
 * Turns a timestamp into the one ISO 8601 form (`toISOString`, always UTC and 24 characters), so that
 * timestamps inside sort keys order correctly as text.
 *
 * @throws InputValidationError naming `field` when the text is not a date
 * @example
 * canonicalTimestamp('2026-11-22T10:00:00+01:00', 'startedAt') // '2026-11-22T09:00:00.000Z'
 */
export function canonicalTimestamp(value: string | Date, field: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InputValidationError(field, `"${String(value)}" is not a date`);
  return date.toISOString();
}

/** Key builders; docs/progress-table.md lists them. */
export const keys = {
  runPk: (runId: string) => `RUN#${runId}`,
  runSk: 'RUN',
  clusterSk: (clusterKey: string) => `CLUSTER#${clusterKey}`,
  snapshotSk: (clusterKey: string) => `CLUSTER#${clusterKey}#SNAPSHOT`,
  planSk: (clusterKey: string) => `CLUSTER#${clusterKey}#PLAN`,
  /** Two digits, so the hops of a cluster sort in order; plans never come near 99 hops. */
  hopSk: (clusterKey: string, index: number) => `CLUSTER#${clusterKey}#HOP#${String(index).padStart(2, '0')}`,
  clusterPrefix: 'CLUSTER#',
  lockPk: (clusterKey: string) => `LOCK#${clusterKey}`,
  lockSk: 'LOCK',
  /** A lock's entry in the `byCluster` index: the locks one owner holds (cluster keys never start with `LOCKOWNER#`). */
  lockOwnerPk: (owner: string) => `LOCKOWNER#${owner}`,
  lockOwnerSk: (clusterKey: string) => `LOCK#${clusterKey}`,
  byClusterPk: (clusterKey: string) => `CLUSTER#${clusterKey}`,
  byClusterNamePk: (clusterName: string) => `CLUSTERNAME#${clusterName}`,
  historySk: (startedAt: string, runId: string) => `${startedAt}#${runId}`,
} as const;

/**
 * Checks a hop index: 1-based and two digits at most, as the sort key pads it to two.
 *
 * @throws InputValidationError naming `index`
 * @example
 * checkHopIndex(3) // 3
 */
export function checkHopIndex(index: number): number {
  if (!Number.isInteger(index) || index < 1 || index > 99) {
    throw new InputValidationError('index', `${String(index)} must be an integer from 1 to 99`);
  }
  return index;
}

function check(schema: z.ZodType<string>, value: string, field: string): void {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputValidationError(field, `"${String(value)}" ${result.error.issues[0]?.message ?? 'is not valid'}`);
  }
}
