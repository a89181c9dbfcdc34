import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, imageTags, podReady, rolloutComplete, startKubernetesRig, type KubernetesRig } from './kubernetes-rig.js';

// The aws-node DaemonSet's rolling update as a rollout gate reads it: through the cluster's Kubernetes API with the
// real client library, while virtual time moves only when the test says so.

const FROM = 'v1.18.1-eksbuild.1';
const TO = 'v1.19.2-eksbuild.1';
const generationOf = (pod: V1Pod): number => Number(pod.metadata?.labels?.['pod-template-generation']);

describe('the aws-node rollout over simulated time', () => {
  let rig: KubernetesRig;

  beforeAll(async () => {
    rig = await startKubernetesRig({
      clusters: [
        {
          name: 'roll',
          kubernetesVersion: '1.29',
          nodeGroups: [
            { name: 'general', count: 36, instanceType: 'm7g.large' },
            { name: 'gpu', count: 4, instanceType: 'g5.xlarge', labels: { 'nvidia.com/gpu.present': 'true' }, taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] },
          ],
          addon: { version: FROM },
        },
        { name: 'small', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM } },
        { name: 'large', kubernetesVersion: '1.29', nodes: 400, addon: { version: FROM } },
      ],
    });
  });
  afterAll(() => rig?.close());

  it('serves nodes of several types with the labels EKS gives them', async () => {
    // Prepare
    const kube = await rig.kube('roll');
    // Act
    const nodes = await kube.nodes();
    const gpu = (await kube.core.listNode({ labelSelector: 'eks.amazonaws.com/nodegroup=gpu' })).items;
    const notGpu = (await kube.core.listNode({ labelSelector: 'eks.amazonaws.com/nodegroup notin (gpu)' })).items;
    // Assess
    expect(nodes).toHaveLength(40);
    expect(gpu).toHaveLength(4);
    expect(notGpu).toHaveLength(36);
    expect(gpu[0]!.metadata!.labels).toMatchObject({ 'node.kubernetes.io/instance-type': 'g5.xlarge', 'nvidia.com/gpu.present': 'true', 'kubernetes.io/arch': 'amd64' });
    expect(gpu[0]!.status!.capacity!['nvidia.com/gpu']).toBe('1');
    expect(gpu[0]!.spec!.taints).toEqual([{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
    expect(notGpu[0]!.metadata!.labels!['kubernetes.io/arch']).toBe('arm64');
    expect(nodes.every((n) => n.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
  });

  it('replaces pods 10% at a time, status fields consistent at every step, until `kubectl rollout status` is satisfied', async () => {
    // Prepare
    const kube = await rig.kube('roll');
    const before = await kube.daemonSet();
    const nodes = new Set((await kube.nodes()).map((n) => n.metadata!.name));
    // Act
    await rig.update('roll', TO);
    const observed: number[] = [];
    let lastUpdated = 0;
    let final = before;
    for (let step = 0; step < 200; step += 1) {
      const [ds, pods] = await Promise.all([kube.daemonSet(), kube.pods()]);
      const status = ds.status!;
      final = ds;
      observed.push(status.observedGeneration!);
      const template = ds.spec!.template.spec!;
      const templateTags = Object.fromEntries([...template.initContainers!, ...template.containers].map((c) => [c.name, c.image!.slice(c.image!.lastIndexOf(':') + 1)]));
      // Assess, at every step
      expect(ds.metadata!.generation).toBe(before.metadata!.generation! + 1);
      expect(status.desiredNumberScheduled).toBe(40);
      expect(status.currentNumberScheduled).toBe(40);
      expect(pods).toHaveLength(40);
      expect(new Set(pods.map((p) => p.spec!.nodeName))).toEqual(nodes);
      expect(status.updatedNumberScheduled).toBe(pods.filter((p) => generationOf(p) === status.observedGeneration).length);
      expect(status.numberReady).toBe(pods.filter(podReady).length);
      expect(status.numberAvailable).toBe(status.numberReady);
      expect(status.numberUnavailable ?? 0).toBe(status.desiredNumberScheduled - status.numberAvailable!);
      // maxUnavailable 10% of 40: never more than 4 nodes without a Ready pod.
      expect(status.desiredNumberScheduled - status.numberAvailable!).toBeLessThanOrEqual(4);
      if (status.observedGeneration === ds.metadata!.generation) {
        expect(status.updatedNumberScheduled).toBeGreaterThanOrEqual(lastUpdated);
        lastUpdated = status.updatedNumberScheduled!;
      }
      for (const pod of pods) {
        expect(pod.metadata!.labels).toMatchObject({ 'k8s-app': 'aws-node', 'controller-revision-hash': expect.stringMatching(/^[a-z0-9]{10}$/) });
        expect(pod.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'aws-node', uid: ds.metadata!.uid, controller: true })]);
        const tags = imageTags(pod);
        if (generationOf(pod) === ds.metadata!.generation) expect(tags).toEqual(templateTags);
        else expect(tags).toMatchObject({ 'aws-node': FROM, 'aws-vpc-cni-init': FROM });
      }
      if (rolloutComplete(ds)) break;
      rig.advance(2);
    }
    // Assess, at the end
    expect(rolloutComplete(final)).toBe(true);
    // The controller observes a new template a moment after it is written.
    expect(observed[0]).toBe(before.metadata!.generation);
    expect(observed.at(-1)).toBe(before.metadata!.generation! + 1);
    expect(Object.values(imageTags((await kube.pods())[0]!))).not.toContain(FROM);
    const agentTag = (t: string | undefined) => t?.slice(t.lastIndexOf(':') + 1);
    expect(agentTag(final.spec!.template.spec!.containers.find((c) => c.name === 'aws-eks-nodeagent')!.image)).not.toBe(agentTag(before.spec!.template.spec!.containers.find((c) => c.name === 'aws-eks-nodeagent')!.image));
    expect((await rig.addon('roll')).health?.issues).toEqual([]);
  });

  it('answers the pods of one node by field selector, and pages with limit and continue', async () => {
    // Prepare
    const kube = await rig.kube('roll');
    const node = (await kube.nodes())[7]!.metadata!.name!;
    // Act
    const onNode = (await kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=aws-node', fieldSelector: `spec.nodeName=${node}` })).items;
    const first = await kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=aws-node', limit: 15 });
    const second = await kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=aws-node', limit: 30, _continue: first.metadata!._continue! });
    const otherNamespace = (await kube.core.listNamespacedPod({ namespace: 'default', labelSelector: 'k8s-app=aws-node' })).items;
    // Assess
    expect(onNode.map((p) => p.spec!.nodeName)).toEqual([node]);
    expect(first.items).toHaveLength(15);
    expect(first.metadata!.remainingItemCount).toBe(25);
    expect(second.items).toHaveLength(25);
    expect(second.metadata!._continue).toBeUndefined();
    expect(new Set([...first.items, ...second.items].map((p) => p.metadata!.name)).size).toBe(40);
    expect(otherNamespace).toEqual([]);
  });

  it('a few nodes have rolled by the time EKS reports ACTIVE; many nodes keep rolling after it', async () => {
    // Prepare
    const [small, large] = await Promise.all([rig.kube('small'), rig.kube('large')]);
    await rig.update('small', TO);
    await rig.update('large', TO);
    const activeAt = (name: string) => rig.sim.cluster(name)!.addon!.changeCompletesAt!;
    // Act: to the instant the small cluster's update lands, then the large one's.
    rig.advance((activeAt('small') - rig.sim.clock.now()) / 1000);
    const smallAtActive = { addon: await rig.addon('small'), ds: await small.daemonSet() };
    rig.advance((activeAt('large') - rig.sim.clock.now()) / 1000);
    const largeAtActive = { addon: await rig.addon('large'), ds: await large.daemonSet() };
    let waited = 0;
    while (!rolloutComplete(await large.daemonSet()) && waited < 3600) {
      rig.advance(10);
      waited += 10;
    }
    // Assess
    expect(smallAtActive.addon.status).toBe('ACTIVE');
    expect(rolloutComplete(smallAtActive.ds)).toBe(true);
    expect(largeAtActive.addon.status).toBe('ACTIVE');
    expect(largeAtActive.addon.health?.issues).toEqual([]);
    expect(rolloutComplete(largeAtActive.ds)).toBe(false);
    expect(largeAtActive.ds.status!.updatedNumberScheduled).toBeLessThan(400);
    expect(waited).toBeGreaterThan(60);
    expect(waited).toBeLessThan(3600);
  });
});

describe('activeAwaitsRollout: EKS reports ACTIVE only once the pods have rolled', () => {
  let rig: KubernetesRig;

  beforeAll(async () => {
    rig = await startKubernetesRig({ settings: { activeAwaitsRollout: true }, clusters: [{ name: 'large', kubernetesVersion: '1.29', nodes: 400, addon: { version: FROM } }] });
  });
  afterAll(() => rig?.close());

  it('at ACTIVE the rollout is complete', async () => {
    // Prepare
    const kube = await rig.kube('large');
    await rig.update('large', TO);
    const activeAt = rig.sim.cluster('large')!.addon!.changeCompletesAt!;
    // Act
    rig.advance((activeAt - rig.sim.clock.now()) / 1000 - 1);
    const justBefore = await rig.addon('large');
    rig.advance(1);
    const [addon, ds] = [await rig.addon('large'), await kube.daemonSet()];
    // Assess
    expect(justBefore.status).toBe('UPDATING');
    expect(addon.status).toBe('ACTIVE');
    expect(rolloutComplete(ds)).toBe(true);
    // Longer than EKS's own duration for 400 nodes (60 + 2 × 400 s).
    expect(activeAt - rig.sim.cluster('large')!.updates[0]!.createdAt).toBeGreaterThan(860_000);
  });
});

describe('pod faults while EKS reports the add-on ACTIVE and healthy', () => {
  let rig: KubernetesRig;

  beforeAll(async () => {
    rig = await startKubernetesRig({
      settings: { updateSeconds: 60, secondsPerNode: 0 },
      clusters: [
        { name: 'ipam', kubernetesVersion: '1.29', nodes: 10, addon: { version: FROM }, faults: [{ effect: 'POD_NOT_READY', toVersion: 'v1.19.*', errorMessage: 'Checking for IPAM connectivity ...' }] },
        {
          name: 'gpu-agent',
          kubernetesVersion: '1.29',
          nodeGroups: [
            { name: 'general', count: 18 },
            { name: 'gpu', count: 2, instanceType: 'p3.2xlarge' },
          ],
          addon: { version: FROM },
          faults: [{ effect: 'NODE_AGENT_CRASH_LOOP', nodeSelector: 'eks.amazonaws.com/nodegroup=gpu' }],
        },
        { name: 'pull', kubernetesVersion: '1.29', nodes: 20, addon: { version: FROM }, faults: [{ effect: 'IMAGE_PULL_BACKOFF', nodeCount: 2 }] },
        { name: 'join', kubernetesVersion: '1.29', nodes: 10, addon: { version: FROM }, faults: [{ effect: 'NODE_JOIN', afterSeconds: 12, nodeCount: 2 }] },
      ],
    });
    for (const name of ['ipam', 'gpu-agent', 'pull']) await rig.update(name, TO);
  });
  afterAll(() => rig?.close());

  it('EKS sees nothing wrong: every add-on ACTIVE with no health issue once its update lands', async () => {
    // Act
    rig.advance(120);
    const addons = await Promise.all(['ipam', 'gpu-agent', 'pull'].map((name) => rig.addon(name)));
    // Assess
    for (const addon of addons) {
      expect(addon.status).toBe('ACTIVE');
      expect(addon.addonVersion).toBe(TO);
      expect(addon.health?.issues).toEqual([]);
    }
  });

  it('POD_NOT_READY: the new aws-node pod is never Ready, restarts keep growing, and with maxUnavailable 1 the rollout stops there', async () => {
    // Prepare
    const kube = await rig.kube('ipam');
    const stuckPod = async () => (await kube.pods()).find((p) => generationOf(p) === 2)!;
    // Act
    const early = await stuckPod();
    rig.advance(600);
    const later = await stuckPod();
    const ds = await kube.daemonSet();
    const awsNode = container(later, 'aws-node')!;
    // Assess
    expect(podReady(later)).toBe(false);
    expect(later.status!.phase).toBe('Running');
    expect(awsNode.ready).toBe(false);
    expect(awsNode.restartCount).toBeGreaterThan(container(early, 'aws-node')!.restartCount);
    expect(awsNode.restartCount).toBeGreaterThanOrEqual(3);
    expect(awsNode.lastState?.terminated).toMatchObject({ reason: 'Error', message: 'Checking for IPAM connectivity ...' });
    expect(container(later, 'aws-eks-nodeagent')!.ready).toBe(true);
    expect(later.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [aws-node]' });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 10, updatedNumberScheduled: 1, numberAvailable: 9, numberUnavailable: 1 });
    expect(rolloutComplete(ds)).toBe(false);
  });

  it('NODE_AGENT_CRASH_LOOP: aws-eks-nodeagent crash-loops on the GPU nodes only, its restart count growing', async () => {
    // Prepare
    const kube = await rig.kube('gpu-agent');
    const gpuNodes = new Set((await kube.core.listNode({ labelSelector: 'eks.amazonaws.com/nodegroup=gpu' })).items.map((n) => n.metadata!.name));
    // Act
    const first = await kube.pods();
    rig.advance(300);
    const second = await kube.pods();
    // Assess
    const onGpu = second.filter((p) => gpuNodes.has(p.spec!.nodeName!));
    const elsewhere = second.filter((p) => !gpuNodes.has(p.spec!.nodeName!));
    expect(onGpu).toHaveLength(2);
    expect(elsewhere.every(podReady)).toBe(true);
    for (const pod of onGpu) {
      const agent = container(pod, 'aws-eks-nodeagent')!;
      const before = container(first.find((p) => p.metadata!.name === pod.metadata!.name)!, 'aws-eks-nodeagent')!;
      expect(podReady(pod)).toBe(false);
      expect(container(pod, 'aws-node')!.ready).toBe(true);
      expect(agent.restartCount).toBeGreaterThan(before.restartCount);
      expect(agent.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
      expect(imageTags(pod)['aws-node']).toBe(TO);
    }
    // Between restarts the kubelet reports CrashLoopBackOff, with its back-off.
    const states: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const agent = container((await kube.pods()).find((p) => gpuNodes.has(p.spec!.nodeName!))!, 'aws-eks-nodeagent')!;
      states.push(agent.state?.waiting?.reason ?? (agent.state?.running ? 'running' : 'other'));
      rig.advance(15);
    }
    expect(states).toContain('CrashLoopBackOff');
    expect(states).toContain('running');
  });

  it('IMAGE_PULL_BACKOFF: the new pods on two nodes stay Pending with ErrImagePull / ImagePullBackOff and no restarts, and hold the rollout', async () => {
    // Prepare
    const kube = await rig.kube('pull');
    // Act
    const reasons = new Set<string>();
    let stuck: V1Pod[] = [];
    for (let i = 0; i < 30; i += 1) {
      stuck = (await kube.pods()).filter((p) => p.status!.phase === 'Pending');
      for (const pod of stuck) reasons.add(pod.status!.initContainerStatuses![0]!.state!.waiting!.reason!);
      rig.advance(7);
    }
    const ds = await kube.daemonSet();
    // Assess
    expect(stuck).toHaveLength(2);
    expect(reasons).toEqual(new Set(['ErrImagePull', 'ImagePullBackOff']));
    for (const pod of stuck) {
      const init = pod.status!.initContainerStatuses![0]!;
      expect(init.name).toBe('aws-vpc-cni-init');
      expect(init.image).toMatch(/amazon-k8s-cni-init:v1\.19\.2-eksbuild\.1$/);
      expect(init.restartCount).toBe(0);
      expect(container(pod, 'aws-node')!.state?.waiting?.reason).toBe('PodInitializing');
      expect(podReady(pod)).toBe(false);
    }
    // Two stuck pods fill maxUnavailable (10% of 20): the controller replaces no further pod.
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 20, numberAvailable: 18, updatedNumberScheduled: 2 });
    expect(rolloutComplete(ds)).toBe(false);
  });

  it('NODE_JOIN: nodes join mid-rollout, NotReady until their pod (at the new revision, never restarted) is Ready, and the rollout completes', async () => {
    // Prepare
    const kube = await rig.kube('join');
    await rig.update('join', TO);
    const generation = (await kube.daemonSet()).metadata!.generation!;
    // Act
    rig.advance(13);
    const nodes = await kube.nodes();
    const joined = nodes.filter((n) => n.metadata!.creationTimestamp!.getTime() >= rig.sim.clock.now() - 2_000);
    const joinedPods = (await kube.pods()).filter((p) => joined.some((n) => n.metadata!.name === p.spec!.nodeName));
    const during = await kube.daemonSet();
    let waited = 0;
    while (!rolloutComplete(await kube.daemonSet()) && waited < 600) {
      rig.advance(5);
      waited += 5;
    }
    const after = await kube.daemonSet();
    const afterNodes = await kube.nodes();
    const afterPods = await kube.pods();
    // Assess
    expect(nodes).toHaveLength(12);
    expect(joined).toHaveLength(2);
    for (const node of joined) expect(node.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', message: expect.stringContaining('cni plugin not initialized') });
    expect(joinedPods).toHaveLength(2);
    for (const pod of joinedPods) {
      expect(generationOf(pod)).toBe(generation);
      expect(podReady(pod)).toBe(false);
      expect(imageTags(pod)['aws-node']).toBe(TO);
      for (const status of pod.status!.containerStatuses!) {
        expect(status.restartCount).toBe(0);
        expect(['PodInitializing', 'ContainerCreating', undefined]).toContain(status.state?.waiting?.reason);
      }
    }
    expect(during.status!.desiredNumberScheduled).toBe(12);
    expect(rolloutComplete(after)).toBe(true);
    expect(after.status).toMatchObject({ desiredNumberScheduled: 12, updatedNumberScheduled: 12, numberAvailable: 12 });
    expect(afterNodes.every((n) => n.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True'))).toBe(true);
    expect(afterPods.every((p) => p.status!.containerStatuses!.every((c) => c.restartCount === 0))).toBe(true);
    expect((await rig.addon('join')).health?.issues).toEqual([]);
  });
});
