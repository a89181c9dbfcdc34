import { describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../lib/fleet/fleet-file.js';
import { clusterFactsFromFleet } from '../../../lib/plan/fleet-file-facts.js';

describe('clusterFactsFromFleet', () => {
  it('takes the managed version, the self-managed version and the statuses, with the file defaults', () => {
    // Prepare
    const fleet = parseFleetFile(
      JSON.stringify({
        clusters: [
          { name: 'managed', kubernetesVersion: '1.29', region: 'eu-west-1', addon: { version: 'v1.15.1-eksbuild.1', status: 'UPDATE_FAILED' } },
          { name: 'self', kubernetesVersion: '1.24', status: 'UPDATING', selfManaged: { version: 'v1.11.4' } },
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
        addonVersion: 'v1.15.1-eksbuild.1',
        addonStatus: 'UPDATE_FAILED',
      },
      { name: 'self', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.24', status: 'UPDATING', selfManagedVersion: 'v1.11.4' },
      { name: 'bare', region: 'us-east-1', accountId: '111122223333', kubernetesVersion: '1.30', status: 'ACTIVE' },
    ]);
  });
});
