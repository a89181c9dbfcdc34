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
  it('shows each cluster\'s maintenance window and earliest start; a tag that is not a window is BLOCKED, as the workflow records it', async () => {
    // Prepare: Saturday 2026-12-05 10:00 UTC
    const now = new Date('2026-12-05T10:00:00Z');
    const cluster = (name: string, window: string): ClusterFacts => ({ name, region: 'us-east-1', kubernetesVersion: '1.23', addonVersion: 'v1.17.1-eksbuild.1', tags: { 'cni-fleet/window': window } });

    // Act
    const plan = await planFleet([cluster('open', 'Sat-Sun 08:00-12:00 UTC'), cluster('closed', 'Wed 02:00-04:00 UTC'), cluster('garbled', 'weekends')], {
      target: 'default',
      buildsFor: async (k8s) => catalogue.compatibleBuilds(k8s),
      now,
    });
    const [open, closed, garbled] = plan.clusters;

    // Assess
    expect(open).toMatchObject({ outcome: 'PLANNED', window: { text: 'Sat-Sun 08:00-12:00 UTC', open: true, earliestStart: now.toISOString() } });
    expect(closed).toMatchObject({ outcome: 'PLANNED', window: { open: false, earliestStart: '2026-12-09T02:00:00.000Z' } });
    expect(closed?.notes.join(' ')).toContain('its first change starts at 2026-12-09T02:00:00.000Z at the earliest');
    expect(garbled).toMatchObject({ outcome: 'BLOCKED', blockedCode: 'WINDOW_TAG_UNREADABLE', hops: [] });
    expect(garbled?.reason).toMatch(/^tag cni-fleet\/window="weekends" is not a maintenance window/);
  });

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

  it('keeps, not drops, a cluster without any known vpc-cni (SKIPPED) and one with an unreadable version (BLOCKED)', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [
      { name: 'bare', region: 'us-east-1', kubernetesVersion: '1.29' },
      { name: 'odd', region: 'us-east-1', kubernetesVersion: '1.29', addonVersion: 'v1.18-custom' },
    ];

    // Act
    const plan = await planFleet(clusters, { target: 'latest', buildsFor: async (k8s) => fixtureBuilds(k8s) });

    // Assess
    expect(plan.clusters).toMatchObject([
      { name: 'bare', install: 'none', from: null, target: null, hops: [], outcome: 'SKIPPED', reasonCode: 'NO_VPC_CNI', blocked: null },
      { name: 'odd', install: 'managed', from: 'v1.18-custom', target: null, hops: [], outcome: 'BLOCKED', blockedCode: 'UNREADABLE_VERSION' },
    ]);
    expect(plan.clusters[0]!.reason).toMatch(/no managed vpc-cni add-on/);
    expect(plan.clusters[1]!.blocked).toBe('the installed version "v1.18-custom" is not a vpc-cni version an upgrade can start from');
  });

  it('waits for a busy cluster or add-on (a note) and ends a broken add-on FAILED before any change', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [
      { name: 'busy', region: 'us-east-1', kubernetesVersion: '1.24', status: 'UPDATING', addonVersion: 'v1.18.5-eksbuild.1', addonStatus: 'UPDATING' },
      { name: 'broken', region: 'us-east-1', kubernetesVersion: '1.24', addonVersion: 'v1.18.5-eksbuild.1', addonStatus: 'UPDATE_FAILED' },
    ];

    // Act
    const plan = await planFleet(clusters, { buildsFor: async (k8s) => fixtureBuilds(k8s) });

    // Assess
    expect(plan.clusters[0]).toMatchObject({ outcome: 'PLANNED', hops: [{ to: 'v1.19.0-eksbuild.1' }] });
    expect(plan.clusters[0]!.notes).toEqual(['the cluster is UPDATING: a run waits for it to be ACTIVE', 'the add-on is UPDATING: a run waits for it to settle']);
    expect(plan.clusters[1]).toMatchObject({ outcome: 'FAILED', reasonCode: 'ADDON_BROKEN', hops: [], blocked: null });
  });

  it('applies the workflow\'s other rules: opt-out tag, Auto Mode, a self-managed install on Fargate only, configuration a build refuses', async () => {
    // Prepare
    const clusters: ClusterFacts[] = [
      { name: 'opted-out', region: 'us-east-1', kubernetesVersion: '1.29', tags: { 'cni-fleet/skip': 'true' }, addonVersion: 'v1.18.5-eksbuild.1' },
      { name: 'auto', region: 'us-east-1', kubernetesVersion: '1.31', autoMode: true },
      { name: 'fargate-self', region: 'us-east-1', kubernetesVersion: '1.29', fargateOnly: true, selfManagedVersion: 'v1.16.4' },
      { name: 'fargate-managed', region: 'us-east-1', kubernetesVersion: '1.29', fargateOnly: true, addonVersion: 'v1.20.5-eksbuild.1' },
      { name: 'bad-config', region: 'us-east-1', kubernetesVersion: '1.29', addonVersion: 'v1.20.5-eksbuild.1', configurationValues: '{"env":{"NO_SUCH_SETTING":"1"}}' },
    ];
    const schemaFor = async () => JSON.stringify({ type: 'object', properties: { env: { type: 'object', properties: { WARM_IP_TARGET: { type: 'string' } }, additionalProperties: false } } });

    // Act
    const plan = await planFleet(clusters, { buildsFor: async (k8s) => catalogue.compatibleBuilds(k8s), schemaFor });

    // Assess
    expect(plan.clusters.map((c) => [c.name, c.outcome, c.reasonCode])).toEqual([
      ['opted-out', 'SKIPPED', 'OPTED_OUT'],
      ['auto', 'SKIPPED', 'AUTO_MODE'],
      ['fargate-self', 'SKIPPED', 'FARGATE_ONLY'],
      ['fargate-managed', 'PLANNED', null],
      ['bad-config', 'BLOCKED', 'CONFIGURATION_REJECTED'],
    ]);
    expect(plan.clusters[4]!.reason).toMatch(/^configurationValues are not valid for v1\.21\.1-eksbuild\.8: /);
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
