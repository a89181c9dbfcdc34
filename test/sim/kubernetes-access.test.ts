import { ApiException } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../lib/fleet/fleet-file.js';
import { RIG_KEY, startKubernetesRig, type KubernetesRig } from './kubernetes-rig.js';

// The cluster's Kubernetes API answers as the real API server does when access is missing or wrong: 401 for a bad
// token or a caller without an access entry, 403 for an entry that does not allow the read, no answer at all when
// the endpoint cannot be reached, and metav1.Status bodies throughout.

const codeOf = async (call: Promise<unknown>): Promise<number | string> => {
  try {
    await call;
    return 200;
  } catch (error) {
    return error instanceof ApiException ? (error as ApiException<unknown>).code : `network: ${(error as Error).message}`;
  }
};

const bodyOf = async (call: Promise<unknown>): Promise<Record<string, unknown>> => {
  try {
    await call;
    return {};
  } catch (error) {
    return JSON.parse(String((error as ApiException<string>).body)) as Record<string, unknown>;
  }
};

describe('access to a cluster Kubernetes API', () => {
  let rig: KubernetesRig;

  beforeAll(async () => {
    const cluster = (name: string, faults: Pick<Fault, 'effect' | 'count'>[] = []) => ({ name, kubernetesVersion: '1.29', nodes: 3, addon: { version: 'v1.18.1-eksbuild.1' }, faults });
    rig = await startKubernetesRig({
      clusters: [
        cluster('open'),
        cluster('forbidden', [{ effect: 'KUBERNETES_FORBIDDEN' }]),
        cluster('no-entry', [{ effect: 'KUBERNETES_UNAUTHORIZED' }]),
        cluster('unreachable', [{ effect: 'KUBERNETES_UNREACHABLE', count: 2 }]),
      ],
    });
  });
  afterAll(() => rig?.close());

  it('reads pods, one pod, the DaemonSet and nodes with a good token', async () => {
    // Prepare
    const kube = await rig.kube('open');
    // Act
    const pods = await kube.pods();
    const one = await kube.core.readNamespacedPod({ name: pods[0]!.metadata!.name!, namespace: 'kube-system' });
    const missing = await bodyOf(kube.core.readNamespacedPod({ name: 'aws-node-zzzzz', namespace: 'kube-system' }));
    // Assess
    expect(pods).toHaveLength(3);
    expect(one.kind).toBe('Pod');
    expect(one.metadata!.uid).toBe(pods[0]!.metadata!.uid);
    expect(missing).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "aws-node-zzzzz" not found' });
  });

  it('401 with a token whose signature does not match, and with no token at all', async () => {
    // Prepare
    const wrong = await rig.kube('open', { ...RIG_KEY, secretAccessKey: 'not-the-secret' });
    const endpoint = rig.sim.cluster('open') && `${rig.sim.endpoint}/k8s/111122223333/us-east-1/open`;
    // Act
    const code = await codeOf(wrong.pods());
    const anonymous = await fetch(`${endpoint}/api/v1/namespaces/kube-system/pods`);
    // Assess
    expect(code).toBe(401);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('401 for a caller without an access entry, whatever its token', async () => {
    // Prepare
    const kube = await rig.kube('no-entry');
    // Act / Assess
    expect(await codeOf(kube.pods())).toBe(401);
    expect(await codeOf(kube.daemonSet())).toBe(401);
  });

  it('403 with RBAC’s wording when the access entry does not allow the reads', async () => {
    // Prepare
    const kube = await rig.kube('forbidden');
    // Act
    const list = await bodyOf(kube.pods());
    const get = await bodyOf(kube.daemonSet());
    const nodes = await bodyOf(kube.nodes());
    // Assess
    expect(list).toMatchObject({
      kind: 'Status',
      code: 403,
      reason: 'Forbidden',
      message: `pods is forbidden: User "${RIG_KEY.accessKeyId}" cannot list resource "pods" in API group "" in the namespace "kube-system"`,
      details: { kind: 'pods' },
    });
    expect(get).toMatchObject({
      code: 403,
      message: `daemonsets.apps "aws-node" is forbidden: User "${RIG_KEY.accessKeyId}" cannot get resource "daemonsets" in API group "apps" in the namespace "kube-system"`,
      details: { name: 'aws-node', group: 'apps', kind: 'daemonsets' },
    });
    expect(nodes).toMatchObject({ code: 403, message: `nodes is forbidden: User "${RIG_KEY.accessKeyId}" cannot list resource "nodes" in API group "" at the cluster scope` });
  });

  it('every write is 403, even with full read access', async () => {
    // Prepare
    const kube = await rig.kube('open');
    const pod = (await kube.pods())[0]!.metadata!.name!;
    // Act
    const deleted = await bodyOf(kube.core.deleteNamespacedPod({ name: pod, namespace: 'kube-system' }));
    // Assess
    expect(deleted).toMatchObject({ code: 403, message: `pods "${pod}" is forbidden: User "${RIG_KEY.accessKeyId}" cannot delete resource "pods" in API group "" in the namespace "kube-system"` });
    expect(rig.sim.kubernetesCalls.filter((c) => c.method !== 'GET').every((c) => c.status === 403)).toBe(true);
  });

  it('an unreachable endpoint answers nothing (the connection is cut), for as many requests as the fault says', async () => {
    // Prepare
    const kube = await rig.kube('unreachable');
    // Act
    const results = [await codeOf(kube.pods()), await codeOf(kube.pods()), await codeOf(kube.pods())];
    // Assess
    expect(results[0]).toMatch(/^network: /);
    expect(results[1]).toMatch(/^network: /);
    expect(results[2]).toBe(200);
    expect(rig.sim.kubernetesCalls.filter((c) => c.cluster === 'unreachable').map((c) => c.status)).toEqual([0, 0, 200]);
  });

  it('400 for selectors the API server cannot parse or does not support', async () => {
    // Prepare
    const kube = await rig.kube('open');
    // Act
    const badLabel = await bodyOf(kube.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=aws-node,===' }));
    const badField = await bodyOf(kube.core.listNamespacedPod({ namespace: 'kube-system', fieldSelector: 'spec.containers=x' }));
    // Assess
    expect(badLabel).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(badField).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.containers' });
  });
});
