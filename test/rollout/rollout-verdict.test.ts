import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeApi, type KubeGet } from '../../lib/kubernetes/kube-api.js';
import { eksToken } from '../../lib/kubernetes/eks-token.js';
import { readAwsNode } from '../../lib/rollout/read-aws-node.js';
import { judgeRollout, restartBaseline, type RolloutRules, type RolloutVerdict } from '../../lib/rollout/rollout-verdict.js';
import { RIG_KEY, startKubernetesRig, type KubernetesRig } from '../sim/kubernetes-rig.js';

// The pre-flight and gate verdicts over what the simulated API server shows, read with the product's own reader, as
// the simulated clock moves: every pod fault is caught with its nodes named, a joining node is not.

const FROM = 'v1.18.1-eksbuild.1';
const TO = 'v1.19.2-eksbuild.1';
const SOAK = 120;

async function clusterApi(rig: KubernetesRig, name: string): Promise<KubeGet> {
  const described = (await rig.eks.send(new DescribeClusterCommand({ name }))).cluster!;
  const { token } = await eksToken({ clusterName: name, region: 'us-east-1', credentials: RIG_KEY });
  return kubeApi({ key: `111122223333/us-east-1/${name}`, endpoint: described.endpoint!, token });
}

/** Reads and judges every `step` seconds from `start` until the verdict is not PENDING (or `limit` reads), as the gate polls. */
async function watch(rig: KubernetesRig, get: KubeGet, rules: Omit<RolloutRules, 'restartsSeen'>, step: number, limit = 80): Promise<RolloutVerdict[]> {
  const verdicts: RolloutVerdict[] = [];
  let seen: Record<string, number> = {};
  for (let i = 0; i < limit; i += 1) {
    const read = await readAwsNode(get, () => true);
    const verdict = judgeRollout(read.daemonSet, read.pods, { ...rules, restartsSeen: seen }, rig.sim.clock.now());
    verdicts.push(verdict);
    if (verdict.status !== 'PENDING') break;
    seen = { ...verdict.restarts };
    rig.advance(step);
  }
  return verdicts;
}

const gateRules = (extra: Partial<RolloutRules> = {}): Omit<RolloutRules, 'restartsSeen'> => ({ mode: 'gate', version: TO, soakSeconds: SOAK, baseline: {}, ...extra });

describe('the rollout verdict over the simulated aws-node rollout', () => {
  let rig: KubernetesRig;

  beforeAll(async () => {
    rig = await startKubernetesRig({
      settings: { updateSeconds: 60, secondsPerNode: 2 },
      clusters: [
        { name: 'healthy', kubernetesVersion: '1.29', nodes: 12, addon: { version: FROM } },
        { name: 'ipam', kubernetesVersion: '1.29', nodes: 10, addon: { version: FROM }, faults: [{ effect: 'POD_NOT_READY', toVersion: 'v1.19.*', errorMessage: 'Checking for IPAM connectivity ...' }] },
        {
          name: 'gpu-agent',
          kubernetesVersion: '1.29',
          nodeGroups: [
            { name: 'general', count: 18 },
            { name: 'gpu', count: 2, instanceType: 'p3.2xlarge', labels: { 'nvidia.com/gpu.present': 'true' } },
          ],
          addon: { version: FROM },
          faults: [{ effect: 'NODE_AGENT_CRASH_LOOP', nodeSelector: 'eks.amazonaws.com/nodegroup=gpu' }],
        },
        { name: 'pull', kubernetesVersion: '1.29', nodes: 20, addon: { version: FROM }, faults: [{ effect: 'IMAGE_PULL_BACKOFF', nodeCount: 2 }] },
        { name: 'join', kubernetesVersion: '1.29', nodes: 10, addon: { version: FROM }, faults: [{ effect: 'NODE_JOIN', afterSeconds: 40, nodeCount: 2 }] },
      ],
    });
  });
  afterAll(() => rig?.close());

  it('pre-flight: a healthy cluster passes, with no restart to keep as a baseline', async () => {
    // Prepare
    const get = await clusterApi(rig, 'healthy');
    // Act
    const read = await readAwsNode(get, () => true);
    const verdict = judgeRollout(read.daemonSet, read.pods, { mode: 'preflight', soakSeconds: SOAK, baseline: {}, restartsSeen: {} }, rig.sim.clock.now());
    // Assess
    expect(verdict.status).toBe('HEALTHY');
    expect(verdict.counts).toEqual({ desired: 12, updated: 12, available: 12, pods: 12 });
    expect(read.requests).toBe(2);
    expect(restartBaseline(read.pods!)).toEqual({});
  });

  it('a healthy hop: pending while the pods roll and soak, healthy once every container has run the soak; never unhealthy', async () => {
    // Prepare
    const get = await clusterApi(rig, 'healthy');
    const startedAt = rig.sim.clock.now();
    await rig.update('healthy', TO);
    rig.advance(5);
    // Act
    const verdicts = await watch(rig, get, gateRules(), 10);
    // Assess
    const last = verdicts.at(-1)!;
    expect(last.status).toBe('HEALTHY');
    expect(verdicts.some((v) => v.status === 'PENDING' && v.waiting.some((w) => w.startsWith('rollout not complete')))).toBe(true);
    expect(verdicts.some((v) => v.status === 'PENDING' && v.soakEndsAt !== null)).toBe(true);
    // The last container started within the rollout's ~46 s, so the soak ends about 120 s after that.
    const passedAfter = (rig.sim.clock.now() - startedAt) / 1000;
    expect(passedAfter).toBeGreaterThanOrEqual(SOAK);
    expect(passedAfter).toBeLessThan(SOAK + 60);
    if (last.status === 'HEALTHY') expect(last.settledAt).toBeLessThanOrEqual(rig.sim.clock.now());
  });

  it('POD_NOT_READY: unhealthy, naming the node whose aws-node restarts, before the hop deadline', async () => {
    // Prepare
    const get = await clusterApi(rig, 'ipam');
    const startedAt = rig.sim.clock.now();
    await rig.update('ipam', TO);
    rig.advance(80);
    // Act
    const verdicts = await watch(rig, get, gateRules({ deadline: startedAt + 1800_000 }), 15);
    // Assess
    const last = verdicts.at(-1)!;
    expect(last.status).toBe('UNHEALTHY');
    if (last.status !== 'UNHEALTHY') return;
    expect(last.faults).toHaveLength(1);
    expect(last.faults[0]).toMatchObject({ node: expect.stringMatching(/^ip-10-0-/), pod: expect.stringMatching(/^aws-node-/), container: 'aws-node' });
    expect(['CrashLoopBackOff', 'RestartsGrowing']).toContain(last.faults[0]!.reason);
    expect(last.faults[0]!.message).toContain('Checking for IPAM connectivity');
    expect(rig.sim.clock.now() - startedAt).toBeLessThan(400_000);
  });

  it('NODE_AGENT_CRASH_LOOP on the GPU node group: unhealthy, the two GPU nodes and aws-eks-nodeagent named, no other node', async () => {
    // Prepare
    const get = await clusterApi(rig, 'gpu-agent');
    await rig.update('gpu-agent', TO);
    rig.advance(100);
    const gpuNodes = (await (await rig.kube('gpu-agent')).core.listNode({ labelSelector: 'eks.amazonaws.com/nodegroup=gpu' })).items.map((n) => n.metadata!.name!);
    // Act
    const verdicts = await watch(rig, get, gateRules(), 15);
    // Assess
    const last = verdicts.at(-1)!;
    expect(last.status).toBe('UNHEALTHY');
    if (last.status !== 'UNHEALTHY') return;
    expect(new Set(last.faults.map((f) => f.node))).toEqual(new Set(gpuNodes));
    expect(last.faults.every((f) => f.container === 'aws-eks-nodeagent')).toBe(true);
    expect(last.faults.every((f) => ['CrashLoopBackOff', 'RestartsGrowing'].includes(f.reason))).toBe(true);
  });

  it('IMAGE_PULL_BACKOFF: unhealthy at the first read, the init container of two nodes named with the pull error', async () => {
    // Prepare
    const get = await clusterApi(rig, 'pull');
    await rig.update('pull', TO);
    rig.advance(100);
    // Act
    const verdicts = await watch(rig, get, gateRules(), 15);
    // Assess
    const last = verdicts.at(-1)!;
    expect(verdicts).toHaveLength(1);
    expect(last.status).toBe('UNHEALTHY');
    if (last.status !== 'UNHEALTHY') return;
    expect(last.faults).toHaveLength(2);
    for (const fault of last.faults) {
      expect(fault.container).toBe('aws-vpc-cni-init');
      expect(['ErrImagePull', 'ImagePullBackOff']).toContain(fault.reason);
      expect(fault.message).toMatch(/amazon-k8s-cni-init:v1\.19\.2-eksbuild\.1/);
    }
  });

  it('NODE_JOIN: two nodes join mid-rollout; pending while their pods start, then healthy — never unhealthy', async () => {
    // Prepare
    const get = await clusterApi(rig, 'join');
    await rig.update('join', TO);
    rig.advance(45);
    // Act
    const atJoin = await readAwsNode(get, () => true);
    const preflightDuringJoin = judgeRollout(atJoin.daemonSet, atJoin.pods, { mode: 'preflight', soakSeconds: SOAK, baseline: {}, restartsSeen: {} }, rig.sim.clock.now());
    const verdicts = await watch(rig, get, gateRules(), 10);
    // Assess
    expect(atJoin.pods).toHaveLength(12);
    expect(preflightDuringJoin.status).toBe('PENDING');
    expect(verdicts.every((v) => v.status !== 'UNHEALTHY')).toBe(true);
    expect(verdicts.at(-1)).toMatchObject({ status: 'HEALTHY', counts: { desired: 12, updated: 12, available: 12, pods: 12 } });
  });

  it('pre-flight after a failed hop: the crash-looping GPU nodes make the cluster unhealthy before any change', async () => {
    // Prepare: the gpu-agent cluster as the previous test left it, a few minutes on.
    rig.advance(300);
    const get = await clusterApi(rig, 'gpu-agent');
    // Act
    const read = await readAwsNode(get, () => true);
    const verdict = judgeRollout(read.daemonSet, read.pods, { mode: 'preflight', soakSeconds: SOAK, baseline: {}, restartsSeen: {} }, rig.sim.clock.now());
    // Assess
    expect(verdict.status).toBe('UNHEALTHY');
    if (verdict.status !== 'UNHEALTHY') return;
    expect(new Set(verdict.faults.map((f) => f.node)).size).toBe(2);
    expect(Object.values(restartBaseline(read.pods!)).every((n) => n > 0)).toBe(true);
  });

  it('the hop deadline: a pod still not Ready when it passes is a fault, named', async () => {
    // Prepare: the ipam cluster's stuck pod, judged as if the deadline had just passed and no restart had been seen.
    const get = await clusterApi(rig, 'ipam');
    const read = await readAwsNode(get, () => true);
    const stuck = read.pods!.find((p) => !p.ready)!;
    // Act
    const baseline = Object.fromEntries(stuck.containers.map((c) => [`${stuck.uid}/${c.name}`, c.restartCount]));
    const calm = { ...read, pods: read.pods!.map((p) => (p === stuck ? { ...p, containers: p.containers.map((c) => ({ ...c, waiting: undefined })) } : p)) };
    const verdict = judgeRollout(calm.daemonSet, calm.pods, { mode: 'gate', version: TO, soakSeconds: 0, baseline, restartsSeen: {}, deadline: rig.sim.clock.now() }, rig.sim.clock.now());
    // Assess
    expect(verdict.status).toBe('UNHEALTHY');
    if (verdict.status !== 'UNHEALTHY') return;
    expect(verdict.faults).toContainEqual(expect.objectContaining({ node: stuck.node, pod: stuck.name, reason: 'NotReady', message: 'containers with unready status: [aws-node]' }));
    expect(verdict.faults).toContainEqual(expect.objectContaining({ node: null, reason: 'RolloutIncomplete' }));
  });
});
