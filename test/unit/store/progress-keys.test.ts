import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../../lib/errors.js';
import { canonicalTimestamp, checkHopIndex, clusterKeyOf, keys, parseClusterKey } from '../../../lib/store/progress-keys.js';

describe('cluster keys', () => {
  it('joins account, region and name, and splits them again', () => {
    // Prepare
    const parts = { accountId: '111122223333', region: 'ap-southeast-2', clusterName: 'prod_eu-1' };

    // Act
    const key = clusterKeyOf(parts);

    // Assess
    expect(key).toBe('111122223333/ap-southeast-2/prod_eu-1');
    expect(parseClusterKey(key)).toEqual(parts);
  });

  it.each([
    // [clusterKey, field named by the error]
    ['prod', 'clusterKey'],
    ['111122223333/us-east-1/prod/x', 'clusterKey'],
    ['1111/us-east-1/prod', 'accountId'],
    ['111122223333/Mars/prod', 'region'],
    ['111122223333/us-east-1/prod#1', 'clusterName'],
  ])('rejects %s naming %s', (clusterKey, field) => {
    // Act
    const parse = () => parseClusterKey(clusterKey);

    // Assess
    expect(parse).toThrow(InputValidationError);
    expect(parse).toThrow(expect.objectContaining({ field }));
  });
});

describe('sort keys', () => {
  it('pads hop numbers so a cluster’s hops sort in order, after its own record', () => {
    // Prepare
    const key = '111122223333/us-east-1/prod';

    // Act
    const sorted = [keys.hopSk(key, 10), keys.planSk(key), keys.hopSk(key, 2), keys.clusterSk(key), keys.snapshotSk(key)].sort();

    // Assess
    expect(sorted).toEqual([`CLUSTER#${key}`, `CLUSTER#${key}#HOP#02`, `CLUSTER#${key}#HOP#10`, `CLUSTER#${key}#PLAN`, `CLUSTER#${key}#SNAPSHOT`]);
  });

  it.each([0, 100, 1.5])('refuses hop index %s', (index) => {
    // Act
    const check = () => checkHopIndex(index);

    // Assess
    expect(check).toThrow(InputValidationError);
  });

  it('writes every timestamp in one UTC form so history keys order by time', () => {
    // Act
    const stamps = ['2026-11-22T10:00:00+01:00', '2026-11-22T09:30:00Z', new Date('2026-11-22T09:45:00.000Z')].map((s) => canonicalTimestamp(s, 'startedAt')).sort();

    // Assess
    expect(stamps).toEqual(['2026-11-22T09:00:00.000Z', '2026-11-22T09:30:00.000Z', '2026-11-22T09:45:00.000Z']);
    expect(() => canonicalTimestamp('yesterday', 'startedAt')).toThrow(InputValidationError);
  });
});
