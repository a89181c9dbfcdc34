import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { startFaultRig, type FaultRig } from '../faults/fault-rig.js';

// The snapshot's pod identity associations re-sent on every UpdateAddon
// (docs/eks-behaviour.md#pod-identity-associations). The real definitions and handlers against the simulator; what each
// UpdateAddon sent is read from the update's params (the members sent, values as sent:
// docs/eks-behaviour.md#the-update-lifecycle).
const CNI_ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const PAIRS = [
  { serviceAccount: 'aws-node', roleArn: 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRolePodIdentity' },
  { serviceAccount: 'aws-node-metrics', roleArn: 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRoleMetrics' },
];
const HOPS = ['v1.19.6-eksbuild.7', 'v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8'];

describe('pod identity associations across hops', () => {
  let rig: FaultRig;
  let records: RunClusterRecords[];
  let arnsBefore: string[];
  /** The pairs in the snapshot's order: that of their sorted ARNs. */
  let pairsByArn: { serviceAccount: string; roleArn: string }[];

  beforeAll(async () => {
    rig = await startFaultRig({
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: [
          { name: 'paired', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1', serviceAccountRoleArn: CNI_ROLE, podIdentityAssociations: PAIRS } },
          { name: 'unpaired', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1', serviceAccountRoleArn: CNI_ROLE } },
        ],
      },
    });
    const associations = rig.sim.cluster('paired')!.addon!.podIdentityAssociations;
    arnsBefore = associations.map((p) => p.associationArn).sort();
    pairsByArn = [...associations].sort((a, b) => a.associationArn.localeCompare(b.associationArn)).map((p) => ({ serviceAccount: p.serviceAccount, roleArn: p.roleArn }));
    await rig.runFleet('pod-identity', { failureThreshold: 0, expectedHopSeconds: 30 });
    records = await rig.store.listRunClusters('pod-identity');
  });
  afterAll(() => rig?.close());

  const sentPairs = (name: string) => rig.sim.cluster(name)!.updates.map((u) => u.params.find((p) => p.type === 'PodIdentityAssociations')?.value);
  const stored = (name: string) => records.find((r) => r.cluster?.clusterName === name)!;

  it('snapshots the pairs and re-sends them on every hop; the associations survive unchanged', () => {
    // Act
    const after = rig.sim.cluster('paired')!.addon!;

    // Assess
    expect(stored('paired').cluster?.status).toBe('UPGRADED');
    expect(stored('paired').snapshot?.snapshot).toMatchObject({ podIdentityAssociations: arnsBefore, podIdentityPairs: pairsByArn });
    expect(rig.sim.cluster('paired')!.updates.map((u) => u.params.find((p) => p.type === 'AddonVersion')?.value)).toEqual(HOPS);
    expect(sentPairs('paired')).toEqual(HOPS.map(() => JSON.stringify(pairsByArn)));
    expect(after.addonVersion).toBe(HOPS.at(-1));
    expect(after.podIdentityAssociations.map((p) => p.associationArn).sort()).toEqual(arnsBefore);
    expect(rig.sim.calls.filter((c) => c.cluster === 'paired' && c.operation === 'DescribePodIdentityAssociation').map((c) => c.status)).toEqual([200, 200]);
  });

  it('sends no associations (never []) for an add-on without any', () => {
    // Assess
    expect(stored('unpaired').cluster?.status).toBe('UPGRADED');
    expect(sentPairs('unpaired')).toEqual(HOPS.map(() => undefined));
    expect(rig.sim.calls.filter((c) => c.cluster === 'unpaired' && c.operation === 'DescribePodIdentityAssociation')).toEqual([]);
    expect(rig.sim.cluster('unpaired')!.addon!.podIdentityAssociations).toEqual([]);
  });
});
