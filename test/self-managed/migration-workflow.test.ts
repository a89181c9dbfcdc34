import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { rehearse } from '../../rehearsal/rehearsal.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import type { ProgressStore } from '../../lib/store/progress-store.js';

// The real statemachines run over the real handlers, against the simulator (EKS + each cluster's Kubernetes API)
// and dynalite: self-managed aws-node DaemonSets migrated to the managed add-on, then upgraded minor by minor.
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const UNTRANSLATABLE = {
  name: 'sm-extra-volume',
  kubernetesVersion: '1.28',
  selfManaged: { version: 'v1.15.1', env: { WARM_IP_TARGET: '3' }, extras: { volumes: [{ name: 'custom-certs', hostPath: { path: '/etc/custom-certs' } }] } },
};
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    {
      name: 'sm-custom',
      kubernetesVersion: '1.28',
      selfManaged: {
        version: 'v1.15.1',
        env: { WARM_IP_TARGET: '3', AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true', WARM_ENI_TARGET: '1' },
        initEnv: { DISABLE_TCP_EARLY_DEMUX: 'true' },
        resources: { requests: { cpu: '50m' } },
        serviceAccountRoleArn: ROLE,
      },
    },
    UNTRANSLATABLE,
    { name: 'sm-fargate', kubernetesVersion: '1.28', compute: 'fargate', selfManaged: { version: 'v1.15.1', env: { WARM_IP_TARGET: '3' } } },
    { name: 'no-daemonset', kubernetesVersion: '1.28' },
    { name: 'auto-mode', kubernetesVersion: '1.31', compute: 'auto' },
  ],
});
const MIGRATED_CONFIG = { env: { AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true', WARM_IP_TARGET: '3' }, init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } }, resources: { requests: { cpu: '50m' } } };

describe('self-managed migration, rehearsed locally', () => {
  let report: RehearsalReport & { store: ProgressStore; close(): Promise<void> };
  const events: TaskEvent[] = [];

  beforeAll(async () => {
    report = await rehearse({ fleet, speed: 1000, options: { failureThreshold: 0, perLaneConcurrency: 5 }, onTask: (e) => events.push(e) });
  });
  afterAll(() => report?.close());

  const cluster = (name: string) => report.clusters.find((c) => c.name === name)!;
  const records = async (name: string) => (await report.store.listRunClusters(report.runId)).find((r) => r.cluster?.clusterName === name)!;

  it('creates the managed add-on at a build of the installed minor with the custom settings and role, then upgrades one minor per hop', () => {
    // Assess
    const c = cluster('sm-custom');
    expect(c).toMatchObject({ status: 'UPGRADED', from: 'v1.15.1', error: null });
    expect(c.hops.map((h) => [h.version, h.status])).toEqual([
      ['v1.15.5-eksbuild.1', 'SUCCEEDED'],
      ['v1.16.4-eksbuild.2', 'SUCCEEDED'],
      ['v1.17.1-eksbuild.1', 'SUCCEEDED'],
      ['v1.18.6-eksbuild.1', 'SUCCEEDED'],
      ['v1.19.6-eksbuild.7', 'SUCCEEDED'],
      ['v1.20.5-eksbuild.1', 'SUCCEEDED'],
    ]);
    expect(c.hops[0]!.updateId).toBeNull();
    expect(c.final).toMatchObject({ addonVersion: 'v1.20.5-eksbuild.1', status: 'ACTIVE', serviceAccountRoleArn: ROLE });
    expect(JSON.parse(c.final.configurationValues ?? '{}')).toEqual(MIGRATED_CONFIG);
  });

  it('reads the DaemonSet back after the create (inside PollHop) and then runs the managed hops like any other', () => {
    // Assess
    const states = events
      .filter((e) => (e.input as { cluster?: { name?: string } }).cluster?.name === 'sm-custom' && !e.error)
      .map((e) => e.stateName)
      .filter((s) => s !== 'PollHop' && s !== 'WaitForHop');
    expect(states.slice(0, 5)).toEqual(['AcquireLock', 'TakeSnapshot', 'PlanUpgrade', 'ApplyHop', 'ApplyHop']);
    expect(states.slice(-2)).toEqual(['ApplyHop', 'VerifyUpgrade']);
  });

  it('stores the whole DaemonSet and ServiceAccount with the snapshot, and the plan says what carries over', async () => {
    // Act
    const { snapshot, plan, hops } = await records('sm-custom');
    // Assess
    const selfManaged = snapshot?.snapshot.selfManaged as {
      image: string;
      daemonSet: { encoding: string; manifest: { kind: string; metadata: Record<string, unknown>; spec: unknown } };
      serviceAccount: { manifest: { metadata: { annotations: Record<string, string> } } };
    };
    expect(snapshot?.snapshot).toMatchObject({ install: 'self-managed', addonVersion: 'v1.15.1', serviceAccountRoleArn: ROLE, configurationValues: null });
    expect(selfManaged.image).toMatch(/amazon-k8s-cni:v1\.15\.1$/);
    expect(selfManaged.daemonSet.encoding).toBe('json');
    expect(selfManaged.daemonSet.manifest.kind).toBe('DaemonSet');
    expect(selfManaged.daemonSet.manifest.metadata.managedFields).toBeUndefined();
    expect(selfManaged.serviceAccount.manifest.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
    expect(Date.parse(snapshot!.snapshot.takenAt)).toBeLessThanOrEqual(Date.parse(hops[0]!.startedAt));
    expect(plan?.plan.notes).toEqual(
      expect.arrayContaining(['carried over: env.WARM_IP_TARGET=3', 'carried over: init.env.DISABLE_TCP_EARLY_DEMUX=true', `IRSA role carried over: ${ROLE}`]),
    );
    expect(plan?.plan.notes.join('\n')).not.toContain('WARM_ENI_TARGET');
    expect(hops[0]).toMatchObject({ kind: 'create', updateId: null, outcome: 'SUCCEEDED', fromVersion: 'v1.15.1' });
  });

  it('stops a cluster with an untranslatable setting before any change, listing it', async () => {
    // Act
    const c = cluster('sm-extra-volume');
    const { plan } = await records('sm-extra-volume');
    // Assess
    expect(c).toMatchObject({ status: 'BLOCKED', hops: [], error: { name: 'UntranslatableSettingsError' } });
    expect(c.error?.message).toContain('.spec.template.spec.volumes[name="custom-certs"]');
    expect(c.final.addonVersion).toBeNull();
    expect(plan?.plan.notes.some((n) => n.startsWith('NOT carried over: .spec.template.spec.volumes[name="custom-certs"]'))).toBe(true);
  });

  it.each([
    ['sm-fargate', 'Fargate-only'],
    ['no-daemonset', 'no aws-node DaemonSet'],
    ['auto-mode', 'EKS Auto Mode'],
  ])('skips %s with the reason (%s)', (name, reason) => {
    // Assess
    const c = cluster(name);
    expect(c).toMatchObject({ status: 'SKIPPED', hops: [], error: { name: 'ClusterSkippedError' } });
    expect(c.error?.message).toContain(reason);
    expect(c.final.addonVersion).toBeNull();
  });
});

describe('an untranslatable setting', () => {
  it('makes no mutating call at all unless accepted', async () => {
    // Act
    const report = await rehearse({ fleet: FleetFile.parse({ clusters: [UNTRANSLATABLE] }), speed: 1000 });
    await report.close();
    // Assess
    expect(report.clusters[0]?.status).toBe('BLOCKED');
    expect(report.summary.eksMutatingCalls).toBe(0);
  });

  it('is left behind when the input accepts it: the rest is carried over', async () => {
    // Act
    const report = await rehearse({ fleet: FleetFile.parse({ settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters: [UNTRANSLATABLE] }), speed: 1000, options: { acceptUntranslatable: true } });
    await report.close();
    // Assess
    expect(report.clusters[0]).toMatchObject({ status: 'UPGRADED', final: { addonVersion: 'v1.20.5-eksbuild.1', configurationValues: '{"env":{"WARM_IP_TARGET":"3"}}' } });
  });
});
