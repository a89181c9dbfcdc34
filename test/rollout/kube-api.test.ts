import { request } from 'node:http';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesAccessError, KubernetesUnavailableError } from '../../lib/errors.js';
import { kubeApi, type KubeGet } from '../../lib/kubernetes/kube-api.js';
import { eksToken } from '../../lib/kubernetes/eks-token.js';
import { readAwsNode } from '../../lib/rollout/read-aws-node.js';
import { RIG_KEY, startKubernetesRig, type KubernetesRig } from '../sim/kubernetes-rig.js';

// The product's own Kubernetes reader (Node's https, no client library) against the simulated API servers: reads,
// paging, gzip as kube-apiserver sends it, and each access failure as the error an operator can act on.

const PRINCIPAL = 'arn:aws:iam::111122223333:role/cni-fleet-target';
const FROM = 'v1.18.1-eksbuild.1';

describe('the Kubernetes reader', () => {
  let rig: KubernetesRig;
  const endpoints = new Map<string, string>();

  const api = async (name: string): Promise<KubeGet> => {
    const { token } = await eksToken({ clusterName: name, region: 'us-east-1', credentials: RIG_KEY });
    return kubeApi({ key: `111122223333/us-east-1/${name}`, endpoint: endpoints.get(name)!, token, principal: PRINCIPAL });
  };
  const failure = async (call: Promise<unknown>): Promise<unknown> => call.then(() => undefined, (error: unknown) => error);

  beforeAll(async () => {
    const cluster = (name: string, nodes: number, faults: { effect: 'KUBERNETES_FORBIDDEN' | 'KUBERNETES_UNAUTHORIZED' | 'KUBERNETES_UNREACHABLE' }[] = []) => ({ name, kubernetesVersion: '1.29', nodes, addon: { version: FROM }, faults });
    rig = await startKubernetesRig({
      clusters: [cluster('small', 3), cluster('wide', 620), cluster('forbidden', 3, [{ effect: 'KUBERNETES_FORBIDDEN' }]), cluster('no-entry', 3, [{ effect: 'KUBERNETES_UNAUTHORIZED' }]), cluster('private', 3, [{ effect: 'KUBERNETES_UNREACHABLE' }])],
    });
    for (const name of ['small', 'wide', 'forbidden', 'no-entry', 'private']) endpoints.set(name, (await rig.eks.send(new DescribeClusterCommand({ name }))).cluster!.endpoint!);
  });
  afterAll(() => rig?.close());

  it('reads the DaemonSet and its pods; a missing object is undefined', async () => {
    // Prepare
    const get = await api('small');
    // Act
    const read = await readAwsNode(get, () => true);
    const missing = await get('/api/v1/namespaces/kube-system/pods/aws-node-zzzzz');
    // Assess
    expect(read.daemonSet).toMatchObject({ desired: 3, updated: 3, available: 3, selector: 'k8s-app=aws-node' });
    expect(read.daemonSet!.templateImages['aws-node']).toMatch(/amazon-k8s-cni:v1\.18\.1-eksbuild\.1$/);
    expect(read.pods!.map((p) => p.containers.map((c) => c.name))).toEqual(Array(3).fill(['aws-vpc-cni-init', 'aws-eks-nodeagent', 'aws-node']));
    expect(read.requests).toBe(2);
    expect(missing).toBeUndefined();
  });

  it('reads the DaemonSet alone when the pods are not wanted', async () => {
    // Prepare
    const get = await api('small');
    const before = rig.sim.kubernetesCalls.length;
    // Act
    const read = await readAwsNode(get, () => false);
    // Assess
    expect(read.pods).toBeUndefined();
    expect(read.requests).toBe(1);
    expect(rig.sim.kubernetesCalls.slice(before).map((c) => c.path)).toEqual(['/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node']);
  });

  it('pages a large pod list 500 at a time and takes the gzipped answers kube-apiserver sends', async () => {
    // Prepare
    const get = await api('wide');
    const { token } = await eksToken({ clusterName: 'wide', region: 'us-east-1', credentials: RIG_KEY });
    const raw = await new Promise<{ encoding: string | undefined; bytes: number }>((resolve, reject) => {
      const url = `${endpoints.get('wide')!}/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Daws-node&limit=500`;
      request(url, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } }, (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => (bytes += chunk.length));
        response.on('end', () => resolve({ encoding: response.headers['content-encoding'], bytes }));
      })
        .on('error', reject)
        .end();
    });
    // Act
    const read = await readAwsNode(get, () => true);
    // Assess
    expect(raw.encoding).toBe('gzip');
    expect(raw.bytes).toBeLessThan(1024 * 1024);
    expect(read.pods).toHaveLength(620);
    expect(new Set(read.pods!.map((p) => p.node)).size).toBe(620);
    expect(read.requests).toBe(3);
  });

  it('401: no access entry — the error names the principal and the access entry to create', async () => {
    // Act
    const error = await failure((await api('no-entry'))('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node'));
    // Assess
    expect(error).toBeInstanceOf(KubernetesAccessError);
    expect(error).toMatchObject({ name: 'KubernetesAccessError', status: 401, cluster: '111122223333/us-east-1/no-entry' });
    expect((error as Error).message).toContain(`knows no access entry for ${PRINCIPAL}: create one with Kubernetes group cni-fleet-aws-node-reader`);
  });

  it("403: the entry does not allow the read — the API server's own words and the binding to add", async () => {
    // Act
    const error = await failure((await api('forbidden'))('/api/v1/namespaces/kube-system/pods', { labelSelector: 'k8s-app=aws-node' }));
    // Assess
    expect(error).toMatchObject({ name: 'KubernetesAccessError', status: 403 });
    expect((error as Error).message).toContain('pods is forbidden: User "AKIDKUBERNETESRIG" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    expect((error as Error).message).toContain('bind its group cni-fleet-aws-node-reader to the read-only Role');
  });

  it('no answer: KubernetesUnavailableError (the state machine retries it)', async () => {
    // Act
    const error = await failure((await api('private'))('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node'));
    // Assess
    expect(error).toBeInstanceOf(KubernetesUnavailableError);
    expect((error as Error).message).toMatch(/^Kubernetes API of 111122223333\/us-east-1\/private is unavailable: GET \/apis\/apps\/v1\/namespaces\/kube-system\/daemonsets\/aws-node: /);
  });

  it('refuses plain http to anything but this machine: a token is never sent in the clear', () => {
    // Act
    const make = () => kubeApi({ key: 'k', endpoint: 'http://example.com/cluster', token: 'k8s-aws-v1.x' });
    // Assess
    expect(make).toThrow(KubernetesUnavailableError);
    expect(make).toThrow(/is not https/);
  });
});
