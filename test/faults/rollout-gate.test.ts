import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eksToken } from '../../lib/kubernetes/eks-token.js';
import { kubeApi } from '../../lib/kubernetes/kube-api.js';
import { clusterRunView } from '../../lib/operator/cluster-run-view.js';
import { renderClusterHistory } from '../../lib/operator/render-progress.js';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { matrixRow } from './fault-matrix.js';
import { keyOf, startFaultRig, statesOf, type FaultRig } from './fault-rig.js';

// The Kubernetes side of the fault matrix: faults EKS does not see (it keeps reporting the add-on ACTIVE and
// healthy) and a Kubernetes API that refuses or does not answer, in one fleet run of the real definitions. Each
// cluster carries one fault; a healthy bystander shows the gate passing with one read per hop.

const FROM = 'v1.19.0-eksbuild.1';
const HOP_1 = 'v1.20.5-eksbuild.1';
const HOP_2 = 'v1.21.1-eksbuild.8';
const IPAM = 'Checking for IPAM connectivity ...';

describe('fault matrix: aws-node rollout gate and pre-flight', () => {
  let rig: FaultRig;
  let records: RunClusterRecords[];
  let rerun: RunClusterRecords[];
  let gpuNodes: string[];
  let firstRun: typeof rig.events = [];
  const RUN = 'gate-matrix';

  beforeAll(async () => {
    rig = await startFaultRig({
      speed: 2000,
      fleet: {
        settings: { updateSeconds: 60, secondsPerNode: 2 },
        clusters: [
          { name: 'bystander', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM } },
          { name: 'ipam', kubernetesVersion: '1.29', nodes: 10, addon: { version: FROM }, faults: [{ effect: 'POD_NOT_READY', toVersion: 'v1.20.*', errorMessage: IPAM }] },
          {
            name: 'gpu',
            kubernetesVersion: '1.29',
            nodeGroups: [
              { name: 'general', count: 18, instanceType: 'm5.large' },
              { name: 'gpu', count: 2, instanceType: 'g5.xlarge', labels: { 'nvidia.com/gpu.present': 'true' } },
            ],
            addon: { version: FROM },
            faults: [{ effect: 'NODE_AGENT_CRASH_LOOP', toVersion: 'v1.21.*', nodeSelector: 'eks.amazonaws.com/nodegroup=gpu' }],
          },
          { name: 'pull', kubernetesVersion: '1.29', nodes: 20, addon: { version: FROM }, faults: [{ effect: 'IMAGE_PULL_BACKOFF', toVersion: 'v1.20.*', nodeCount: 2 }] },
          { name: 'join', kubernetesVersion: '1.29', nodes: 10, addon: { version: FROM }, faults: [{ effect: 'NODE_JOIN', toVersion: 'v1.20.*', afterSeconds: 20, nodeCount: 2 }] },
          { name: 'forbidden', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM }, faults: [{ effect: 'KUBERNETES_FORBIDDEN' }] },
          { name: 'no-entry', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM }, faults: [{ effect: 'KUBERNETES_UNAUTHORIZED' }] },
          { name: 'private', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM }, faults: [{ effect: 'KUBERNETES_UNREACHABLE' }] },
          { name: 'no-entry-off', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM }, faults: [{ effect: 'KUBERNETES_UNAUTHORIZED' }] },
        ],
      },
    });
    await rig.runFleet(RUN, { failureThreshold: 0, perLaneConcurrency: 10 }, ['bystander', 'ipam', 'gpu', 'pull', 'join', 'forbidden', 'no-entry', 'private']);
    records = await rig.store.listRunClusters(RUN);
    firstRun = [...rig.events];
    // The access faults again with best-effort and off; the GPU cluster again, now crash-looping before any change.
    await rig.runFleet('gate-best-effort', { failureThreshold: 0, kubernetesAccess: 'best-effort' }, ['forbidden', 'no-entry', 'private']);
    await rig.runFleet('gate-off', { failureThreshold: 0, kubernetesAccess: 'off' }, ['no-entry-off']);
    await rig.runFleet('gate-rerun', { failureThreshold: 0 }, ['gpu']);
    rerun = [...(await rig.store.listRunClusters('gate-best-effort')), ...(await rig.store.listRunClusters('gate-off')), ...(await rig.store.listRunClusters('gate-rerun'))];
    // The GPU node group's nodes, from the cluster's own API.
    const eks = rig.deps.eksFor({ accountId: '111122223333', region: 'us-east-1' });
    const endpoint = (await eks.send(new DescribeClusterCommand({ name: 'gpu' }))).cluster!.endpoint!;
    const { token } = await eksToken({ clusterName: 'gpu', region: 'us-east-1', credentials: { accessKeyId: '111122223333', secretAccessKey: 'simulator' } });
    const nodes = await kubeApi({ key: keyOf('gpu'), endpoint, token })('/api/v1/nodes', { labelSelector: 'eks.amazonaws.com/nodegroup=gpu' });
    gpuNodes = (nodes!.items as { metadata: { name: string } }[]).map((n) => n.metadata.name).sort();
  }, 180_000);
  afterAll(() => rig?.close());

  const stored = (name: string, from = records) => from.find((r) => r.cluster?.clusterName === name)!;
  const updates = (name: string) => rig.sim.calls.filter((c) => c.cluster === name && c.operation === 'UpdateAddon' && c.status === 200).map((c) => c.requestedVersion);
  const kubeCalls = (name: string) => rig.sim.kubernetesCalls.filter((c) => c.cluster === name);
  const lockOf = (name: string) => rig.store.getLock(keyOf(name));
  const nodesOf = (r: RunClusterRecords) => [...new Set(r.hops.flatMap((h) => h.rollout?.faults ?? []).map((f) => f.node))].sort();

  it('healthy: UPGRADED, each hop HEALTHY after one read of the DaemonSet and its pods', (context) => {
    // Prepare
    const row = matrixRow(context, 'Healthy 3-node cluster, two hops', 'UPGRADED; every hop rollout HEALTHY, one gate read per hop (2 GETs)');
    // Act
    const r = stored('bystander');
    row.observe(`${r.cluster?.status}; hops ${r.hops.map((h) => `${h.version}:${h.rollout?.verdict}/${h.rollout?.reads} read(s)`).join(', ')}; ${kubeCalls('bystander').length} Kubernetes GETs`);
    // Assess
    expect(r.cluster?.status).toBe('UPGRADED');
    expect(r.hops.map((h) => h.rollout)).toEqual([
      expect.objectContaining({ verdict: 'HEALTHY', reads: 1, desired: 3, updated: 3, available: 3, faults: [] }),
      expect.objectContaining({ verdict: 'HEALTHY', reads: 1, desired: 3, updated: 3, available: 3, faults: [] }),
    ]);
    // Pre-flight (DaemonSet + pods) and one read per hop.
    expect(kubeCalls('bystander')).toHaveLength(2 + 2 * 2);
    expect(kubeCalls('bystander').every((c) => c.method === 'GET' && c.status === 200)).toBe(true);
    expect(stored('bystander').snapshot?.snapshot.awsNode).toMatchObject({ checked: true, verdict: 'HEALTHY', desired: 3, pods: 3, restarts: [] });
  });

  it('POD_NOT_READY: FAILED at the hop, the node whose aws-node never gets Ready named, no further hop, lock released', async (context) => {
    // Prepare
    const row = matrixRow(context, 'POD_NOT_READY on 1 of 10 nodes at hop 1 of 2', 'FAILED (AwsNodeRolloutError) at hop 1, the node named on the hop; no hop 2; lock released');
    // Act
    const r = stored('ipam');
    const hop = r.hops[0]!;
    const lock = await lockOf('ipam');
    row.observe(`${r.cluster?.status} ${r.cluster?.error?.name}; hop ${hop.version} ${hop.outcome}: ${hop.rollout?.faults.map((f) => `${f.node} ${f.container} ${f.reason}`).join('; ')}; ${updates('ipam').length} UpdateAddon; lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(r.cluster?.status).toBe('FAILED');
    expect(r.cluster?.error?.name).toBe('AwsNodeRolloutError');
    expect(r.hops).toHaveLength(1);
    expect(hop).toMatchObject({ version: HOP_1, outcome: 'FAILED', error: { name: 'AwsNodeRolloutError' } });
    expect(hop.rollout).toMatchObject({ verdict: 'UNHEALTHY', desired: 10, updated: 1, faultCount: 1 });
    expect(hop.rollout!.faults[0]).toMatchObject({ node: expect.stringMatching(/^ip-10-0-/), container: 'aws-node', reason: expect.stringMatching(/^(CrashLoopBackOff|RestartsGrowing)$/) });
    expect(hop.rollout!.faults[0]!.message).toContain(IPAM);
    expect(r.cluster?.error?.message).toContain(hop.rollout!.faults[0]!.node!);
    expect(updates('ipam')).toEqual([HOP_1]);
    expect(lock).toBeNull();
  });

  it('NODE_AGENT_CRASH_LOOP on the GPU node group at hop 2: FAILED there, exactly the GPU nodes named', async (context) => {
    // Prepare
    const row = matrixRow(context, 'aws-eks-nodeagent crash-looping on the gpu node group at hop 2 of 2', 'hop 1 SUCCEEDED; FAILED (AwsNodeRolloutError) at hop 2, both GPU nodes named');
    // Act
    const r = stored('gpu');
    row.observe(`${r.cluster?.status} ${r.cluster?.error?.name}; hops ${r.hops.map((h) => `${h.version}:${h.outcome}`).join(', ')}; nodes ${nodesOf(r).join(', ')}`);
    // Assess
    expect(r.cluster?.status).toBe('FAILED');
    expect(r.cluster?.error?.name).toBe('AwsNodeRolloutError');
    expect(r.hops.map((h) => [h.version, h.outcome])).toEqual([
      [HOP_1, 'SUCCEEDED'],
      [HOP_2, 'FAILED'],
    ]);
    expect(nodesOf(r)).toEqual(gpuNodes);
    expect(r.hops[1]!.rollout!.faults.every((f) => f.container === 'aws-eks-nodeagent')).toBe(true);
    expect(await lockOf('gpu')).toBeNull();
  });

  it('IMAGE_PULL_BACKOFF: FAILED at the hop, the two nodes and the init container named with the pull error', (context) => {
    // Prepare
    const row = matrixRow(context, 'IMAGE_PULL_BACKOFF on 2 of 20 nodes at hop 1', 'FAILED (AwsNodeRolloutError) at hop 1, both nodes named (aws-vpc-cni-init, ErrImagePull/ImagePullBackOff)');
    // Act
    const r = stored('pull');
    const faults = r.hops[0]?.rollout?.faults ?? [];
    row.observe(`${r.cluster?.status}; ${faults.map((f) => `${f.node} ${f.container} ${f.reason}`).join('; ')}`);
    // Assess
    expect(r.cluster?.status).toBe('FAILED');
    expect(faults).toHaveLength(2);
    expect(faults.every((f) => f.container === 'aws-vpc-cni-init' && ['ErrImagePull', 'ImagePullBackOff'].includes(f.reason))).toBe(true);
    expect(updates('pull')).toEqual([HOP_1]);
  });

  it('NODE_JOIN: two nodes join during hop 1; the gate waits for their pods and the cluster is UPGRADED', (context) => {
    // Prepare
    const row = matrixRow(context, 'NODE_JOIN: 2 nodes join 20 s into hop 1', 'UPGRADED; hop 1 HEALTHY with 12 nodes; never failed');
    // Act
    const r = stored('join');
    row.observe(`${r.cluster?.status}; hops ${r.hops.map((h) => `${h.version}:${h.rollout?.verdict} ${h.rollout?.available}/${h.rollout?.desired}`).join(', ')}`);
    // Assess
    expect(r.cluster?.status).toBe('UPGRADED');
    expect(r.hops[0]!.rollout).toMatchObject({ verdict: 'HEALTHY', desired: 12, updated: 12, available: 12 });
    expect(updates('join')).toEqual([HOP_1, HOP_2]);
  });

  it.for([
    ['forbidden', 403, 'bind its group cni-fleet-aws-node-reader'],
    ['no-entry', 401, 'create one with Kubernetes group cni-fleet-aws-node-reader'],
  ] as const)('%s (kubernetesAccess required): BLOCKED at the pre-flight with the access entry to create; no change', ([name, status, fix], context) => {
    // Prepare
    const row = matrixRow(context, `Kubernetes API answers ${status} (kubernetesAccess required)`, 'BLOCKED before any change (KubernetesAccessError), the access entry or binding named; no UpdateAddon');
    // Act
    const r = stored(name);
    row.observe(`${r.cluster?.status} ${r.cluster?.error?.name}; ${updates(name).length} UpdateAddon`);
    // Assess
    expect(r.cluster?.status).toBe('BLOCKED');
    expect(r.cluster?.error?.name).toBe('KubernetesAccessError');
    expect(r.cluster?.error?.message).toContain(fix);
    expect(r.hops).toEqual([]);
    expect(statesOf(firstRun, name)).not.toContain('ApplyHop');
  });

  it('unreachable API (kubernetesAccess required): retried with backoff, then BLOCKED; no change', (context) => {
    // Prepare
    const row = matrixRow(context, 'Kubernetes API unreachable (kubernetesAccess required)', 'TakeSnapshot retried, then BLOCKED (KubernetesUnavailableError); no UpdateAddon');
    // Act
    const r = stored('private');
    const attempts = statesOf(firstRun, 'private', { failed: true }).filter((s) => s === 'TakeSnapshot').length;
    row.observe(`${r.cluster?.status} ${r.cluster?.error?.name} after ${attempts} attempts`);
    // Assess
    expect(r.cluster?.status).toBe('BLOCKED');
    expect(r.cluster?.error?.name).toBe('KubernetesUnavailableError');
    // The ASL's Retry for KubernetesUnavailableError: MaxAttempts 5 → 6 attempts in all (in the first run).
    expect(attempts).toBeGreaterThanOrEqual(6);
  });

  it.for(['forbidden', 'no-entry', 'private'])('%s with kubernetesAccess best-effort: UPGRADED on EKS checks alone, the warning on the cluster and every hop', (name, context) => {
    // Prepare
    const row = matrixRow(context, `${name}: Kubernetes API refused/unreachable (kubernetesAccess best-effort)`, 'UPGRADED; warning recorded on the cluster (pre-flight) and each hop (rollout UNCHECKED)');
    // Act
    const r = stored(name, rerun);
    row.observe(`${r.cluster?.status}; cluster warnings ${r.cluster?.warnings?.length ?? 0}; hops ${r.hops.map((h) => `${h.rollout?.verdict}${h.warnings?.length ? '+warning' : ''}`).join(', ')}`);
    // Assess
    expect(r.cluster?.status).toBe('UPGRADED');
    expect(r.cluster?.warnings).toEqual([expect.stringContaining('aws-node not checked (kubernetesAccess best-effort)')]);
    expect(r.hops).toHaveLength(2);
    for (const hop of r.hops) {
      expect(hop.rollout).toMatchObject({ verdict: 'UNCHECKED' });
      expect(hop.warnings).toEqual([expect.stringContaining('aws-node not checked')]);
    }
  });

  it('kubernetesAccess off: the Kubernetes API is never called and the cluster is UPGRADED on EKS checks alone', (context) => {
    // Prepare
    const row = matrixRow(context, 'kubernetesAccess off (API would answer 401)', 'UPGRADED; no Kubernetes request; hops rollout OFF');
    // Act
    const r = stored('no-entry-off', rerun);
    row.observe(`${r.cluster?.status}; ${kubeCalls('no-entry-off').length} Kubernetes requests; hops ${r.hops.map((h) => h.rollout?.verdict).join(', ')}`);
    // Assess
    expect(r.cluster?.status).toBe('UPGRADED');
    expect(kubeCalls('no-entry-off')).toEqual([]);
    expect(r.hops.map((h) => h.rollout?.verdict)).toEqual(['OFF', 'OFF']);
  });

  it('already unhealthy: a new run on the cluster the GPU crash loop broke is BLOCKED at the pre-flight, the GPU nodes named, nothing changed', (context) => {
    // Prepare
    const row = matrixRow(context, 'aws-node already crash-looping on 2 GPU nodes when a run starts', 'BLOCKED (AwsNodeUnhealthyError) before any change, nodes named in the error and the snapshot');
    // Act
    const r = stored('gpu', rerun);
    const faults = (r.snapshot?.snapshot.awsNode as { faults?: { node: string }[] } | undefined)?.faults ?? [];
    row.observe(`${r.cluster?.status} ${r.cluster?.error?.name}; snapshot names ${[...new Set(faults.map((f) => f.node))].join(', ')}; ${r.hops.length} hops`);
    // Assess
    expect(r.cluster?.status).toBe('BLOCKED');
    expect(r.cluster?.error?.name).toBe('AwsNodeUnhealthyError');
    for (const node of gpuNodes) expect(r.cluster?.error?.message).toContain(node);
    expect([...new Set(faults.map((f) => f.node))].sort()).toEqual(gpuNodes);
    expect(r.hops).toEqual([]);
    // `cni-fleet history` names them too.
    const history = renderClusterHistory([clusterRunView('gate-rerun', r)], { color: false });
    expect(history).toContain('aws-node at fault:');
    for (const node of gpuNodes) expect(history).toContain(`${node} aws-eks-nodeagent`);
    // Still the two UpdateAddon calls of the first run, none from this one.
    expect(updates('gpu')).toEqual([HOP_1, HOP_2]);
  });
});
