import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { planFleet } from '../../../lib/plan/plan-fleet.js';
import { renderPlanTable } from '../../../lib/plan/render-plan-table.js';
import { fixtureBuilds } from '../../fixtures/catalogue.js';

describe('renderPlanTable', () => {
  it('shows hops one per line, blocked reasons, notes and a summary, without colour when asked', async () => {
    // Prepare
    const plan = await planFleet(
      [
        { name: 'moving', region: 'us-east-1', kubernetesVersion: '1.24', addonVersion: 'v1.17.1-eksbuild.1' },
        { name: 'blocked', region: 'eu-west-1', kubernetesVersion: '1.28', addonVersion: 'v1.8.0-eksbuild.1' },
        { name: 'adopt', region: 'us-east-1', kubernetesVersion: '1.28', selfManagedVersion: 'v1.9.1' },
        { name: 'done', region: 'us-east-1', kubernetesVersion: '1.24', addonVersion: 'v1.19.0-eksbuild.1' },
      ],
      { buildsFor: async (k8s) => fixtureBuilds(k8s) },
    );

    // Act
    const text = renderPlanTable(plan, { color: false, planWidth: 200 });

    // Assess
    expect(text).toBe(stripVTControlCharacters(text));
    expect(text).toContain('1. minor  v1.18.5-eksbuild.1');
    expect(text).toContain('2. minor  v1.19.0-eksbuild.1');
    expect(text).toContain('1. create v1.10.4-eksbuild.3');
    expect(text).toContain('BLOCKED (MINOR_NOT_OFFERED): no v1.9 build is offered for Kubernetes 1.28');
    expect(text).toContain('note: v1.9 has no build offered for Kubernetes 1.28');
    expect(text).toContain('self-managed');
    expect(text).toContain('nothing to do');
    expect(text.trimEnd().split('\n').at(-1)).toBe('4 clusters: 2 to change (12 hops), 1 with nothing to do, 1 blocked');
  });

  it('colours when asked, with the same text underneath', async () => {
    // Prepare
    const plan = await planFleet([{ name: 'blocked', region: 'eu-west-1', kubernetesVersion: '1.28', addonVersion: 'v1.8.0-eksbuild.1' }], {
      buildsFor: async (k8s) => fixtureBuilds(k8s),
    });

    // Act
    const coloured = renderPlanTable(plan, { color: true, planWidth: 200 });

    // Assess
    expect(coloured).not.toBe(stripVTControlCharacters(coloured));
    expect(stripVTControlCharacters(coloured)).toBe(renderPlanTable(plan, { color: false, planWidth: 200 }));
  });
});
