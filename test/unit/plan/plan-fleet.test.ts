import { describe, expect, it } from 'vitest';
import type { ClusterFacts } from '../../../lib/plan/cluster-facts.js';
import { planFleet } from '../../../lib/plan/plan-fleet.js';
import { loadCatalogue } from '../../../sim/catalogue/catalogue.js';
import { fixtureBuilds } from '../../fixtures/catalogue.js';

const catalogue = loadCatalogue();

/** A real catalogue source that also records which Kubernetes versions were asked for. */
function recordingCatalogue(): { asked: string[]; buildsFor: (k8s: string) => Promise<ReturnType<typeof catalogue.compatibleBuilds>> } {
  const asked: string[] = [];
  return {
    asked,
    buildsFor: async (k8s) => {
      asked.push(k8s);
      return catalogue.compatibleBuilds(k8s);
    },
  };
}

describe('planFleet', () => {
  it('plans every cluster in input order, asking for the builds once per Kubernetes version', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [
      { name: 'old', region: 'us-east-1', kubernetesVersion: '1.23', addonVersion: 'v1.6.3-eksbuild.2' },
      { name: 'stuck', region: 'us-east-1', kubernetesVersion: '1.31', addonVersion: 'v1.8.0-eksbuild.1' },
      { name: 'self', region: 'eu-west-1', kubernetesVersion: '1.31', selfManagedVersion: 'v1.11.4' },
      { name: 'current', region: 'eu-west-1', kubernetesVersion: '1.23', addonVersion: 'v1.18.5-eksbuild.1' },
    ];
    const source = recordingCatalogue();

    // Act
    const plan = await planFleet(clusters, { target: 'default', buildsFor: source.buildsFor });

    // Assess
    expect(source.asked.sort()).toEqual(['1.23', '1.31']);
    expect(plan.clusters.map((c) => [c.name, c.install, c.from, c.target, c.hops.length, c.blockedCode])).toEqual([
      ['old', 'managed', 'v1.6.3-eksbuild.2', 'v1.18.5-eksbuild.1', 12, null],
      ['stuck', 'managed', 'v1.8.0-eksbuild.1', 'v1.22.4-eksbuild.3', 0, 'MINOR_NOT_OFFERED'],
      ['self', 'self-managed', 'v1.11.4', 'v1.22.4-eksbuild.3', 12, null],
      ['current', 'managed', 'v1.18.5-eksbuild.1', 'v1.18.5-eksbuild.1', 0, null],
    ]);
    expect(plan.clusters[1]!.blocked).toMatch(/no v1\.9 build is offered for Kubernetes 1\.31/);
    expect(plan.clusters[2]!.hops[0]).toEqual({ index: 1, from: 'v1.11.4', to: 'v1.11.5-eksbuild.1', kind: 'create' });
  });

  it('adopts a self-managed install that runs an EKS build with a create', async () => {
    // Act
    const plan = await planFleet([{ name: 'c', region: 'us-east-1', kubernetesVersion: '1.23', selfManagedVersion: 'v1.18.5-eksbuild.1' }], {
      buildsFor: async (k8s) => catalogue.compatibleBuilds(k8s),
    });

    // Assess
    expect(plan.clusters[0]!.hops).toEqual([{ index: 1, from: 'v1.18.5-eksbuild.1', to: 'v1.18.5-eksbuild.1', kind: 'create' }]);
  });

  it('blocks, not drops, a cluster without any known vpc-cni and one with an unreadable version', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [
      { name: 'bare', region: 'us-east-1', kubernetesVersion: '1.29' },
      { name: 'odd', region: 'us-east-1', kubernetesVersion: '1.29', addonVersion: 'v1.18-custom' },
    ];

    // Act
    const plan = await planFleet(clusters, { target: 'latest', buildsFor: async (k8s) => fixtureBuilds(k8s) });

    // Assess
    expect(plan.clusters).toMatchObject([
      { name: 'bare', install: 'none', from: null, target: null, hops: [], blockedCode: 'NO_VPC_CNI' },
      { name: 'odd', install: 'managed', from: 'v1.18-custom', target: null, hops: [], blockedCode: 'UNREADABLE_VERSION' },
    ]);
    expect(plan.clusters[0]!.blocked).toMatch(/no managed vpc-cni add-on/);
    expect(plan.clusters[1]!.blocked).toBe('the installed version "v1.18-custom" is not a vpc-cni version');
  });

  it('notes a cluster or add-on that is not ACTIVE', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [
      { name: 'busy', region: 'us-east-1', kubernetesVersion: '1.24', status: 'UPDATING', addonVersion: 'v1.18.5-eksbuild.1', addonStatus: 'UPDATE_FAILED' },
    ];

    // Act
    const plan = await planFleet(clusters, { buildsFor: async (k8s) => fixtureBuilds(k8s) });

    // Assess
    expect(plan.clusters[0]!.hops.map((h) => h.to)).toEqual(['v1.19.0-eksbuild.1']);
    expect(plan.clusters[0]!.notes).toEqual(['the cluster is UPDATING', 'the add-on is UPDATE_FAILED']);
  });

  it('passes allowDowngrade through', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [{ name: 'c', region: 'us-east-1', kubernetesVersion: '1.24', addonVersion: 'v1.19.2-eksbuild.1' }];
    const buildsFor = async (k8s: string) => fixtureBuilds(k8s);

    // Act
    const refused = await planFleet(clusters, { target: 'v1.17.1-eksbuild.1', buildsFor });
    const allowed = await planFleet(clusters, { target: { kind: 'exact', version: 'v1.17.1-eksbuild.1' }, allowDowngrade: true, buildsFor });

    // Assess
    expect(refused.clusters[0]!.blockedCode).toBe('DOWNGRADE_REFUSED');
    expect(allowed.clusters[0]!.hops.map((h) => h.to)).toEqual(['v1.18.5-eksbuild.1', 'v1.17.1-eksbuild.1']);
  });

  it('rejects a bad target before asking for any build', async () => {
    // Prepare
    const source = recordingCatalogue();

    // Act
    const planned = planFleet([{ name: 'c', region: 'us-east-1', kubernetesVersion: '1.24', addonVersion: 'v1.19.2-eksbuild.1' }], {
      target: 'newest',
      buildsFor: source.buildsFor,
    });

    // Assess
    await expect(planned).rejects.toMatchObject({ name: 'InvalidVersionError', field: 'target' });
    expect(source.asked).toEqual([]);
  });
});
