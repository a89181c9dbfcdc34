import { describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../lib/fleet/fleet-file.js';
import { clusterFactsFromFleet } from '../../../lib/plan/fleet-file-facts.js';

describe('clusterFactsFromFleet', () => {
  it('takes the versions, statuses, tags, compute and configuration, with the file defaults', () => {
    // Prepare
    const fleet = parseFleetFile(
      JSON.stringify({
        clusters: [
          { name: 'managed', kubernetesVersion: '1.29', region: 'eu-west-1', tags: { env: 'prod' }, addon: { version: 'v1.15.1-eksbuild.1', status: 'UPDATE_FAILED', configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}' } },
          { name: 'self', kubernetesVersion: '1.24', status: 'UPDATING', compute: 'fargate', selfManaged: { version: 'v1.11.4' } },
          { name: 'bare', kubernetesVersion: '1.30', compute: 'auto' },
        ],
      }),
    );

    // Act
    const facts = clusterFactsFromFleet(fleet);

    // Assess
    expect(facts).toEqual([
      {
        name: 'managed',
        region: 'eu-west-1',
        accountId: '111122223333',
        kubernetesVersion: '1.29',
        status: 'ACTIVE',
        tags: { env: 'prod' },
        autoMode: false,
        fargateOnly: false,
        addonVersion: 'v1.15.1-eksbuild.1',
        addonStatus: 'UPDATE_FAILED',
        configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}',
      },
      { name: 'self', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.24', status: 'UPDATING', tags: {}, autoMode: false, fargateOnly: true, selfManagedVersion: 'v1.11.4' },
      { name: 'bare', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.30', status: 'ACTIVE', tags: {}, autoMode: true, fargateOnly: false },
    ]);
  });
});
