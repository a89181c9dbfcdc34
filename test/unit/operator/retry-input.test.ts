import { describe, expect, it } from 'vitest';
import type { ClusterRunView } from '../../../lib/operator/cluster-run-view.js';
import { retryInput } from '../../../lib/operator/retry-input.js';
import type { RunItem } from '../../../lib/store/progress-store.js';

const view = (name: string, region: string, accountId: string, status: string): ClusterRunView =>
  ({ runId: 'r', clusterKey: `${accountId}/${region}/${name}`, name, region, accountId, status }) as ClusterRunView;
const runWith = (input: RunItem['input']): RunItem => ({ input }) as RunItem;

describe('retryInput', () => {
  const clusters = [view('a', 'us-east-1', '111122223333', 'FAILED'), view('b', 'eu-west-1', '444455556666', 'FAILED'), view('c', 'eu-west-1', '444455556666', 'UPGRADED')];

  it('carries each cluster\'s role over from the run\'s clusters list, and the run\'s options', () => {
    // Prepare
    const run = runWith({ clusters: [{ name: 'a', region: 'us-east-1' }, { name: 'b', region: 'eu-west-1', accountId: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/t' }], options: { target: 'latest', failureThreshold: 3 } });

    // Act
    const input = retryInput(run, clusters);

    // Assess
    expect(input).toEqual({
      clusters: [
        { name: 'a', region: 'us-east-1', accountId: '111122223333' },
        { name: 'b', region: 'eu-west-1', accountId: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/t' },
      ],
      options: { target: 'latest', failureThreshold: 3 },
      trigger: 'cli',
    });
  });

  it('finds a selector run\'s role by the cluster\'s account', () => {
    // Prepare
    const run = runWith({ clusters: null, selector: { regions: ['eu-west-1'], accounts: [{ accountId: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/t' }] } });

    // Act
    const input = retryInput(run, clusters, ['UPGRADED']);

    // Assess
    expect(input?.['clusters']).toEqual([{ name: 'c', region: 'eu-west-1', accountId: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/t' }]);
  });

  it('is null when no cluster has the statuses asked for', () => {
    expect(retryInput(runWith({}), clusters, ['BLOCKED'])).toBeNull();
  });
});
