import { DescribeAddonCommand, DescribeClusterCommand, EKSClient, UpdateAddonCommand, type Addon } from '@aws-sdk/client-eks';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1DaemonSet, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { eksToken } from '../../lib/kubernetes/eks-token.js';
import { parseOrThrow } from '../../lib/validation/parse-or-throw.js';
import { createVirtualClock } from '../../sim/clock.js';
import { startSimulator, type Simulator } from '../../sim/server.js';
import type { FleetLike } from '../helpers/start-simulator.js';

/** The key the rig signs with; the simulator knows its secret, so it checks token signatures. */
export const RIG_KEY = { accessKeyId: 'AKIDKUBERNETESRIG', secretAccessKey: 'rig-secret' } as const;

/** A cluster's Kubernetes API through the real client library, authenticated with a real EKS token. */
export interface KubeClients {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  /** The aws-node pods (label selector `k8s-app=aws-node`), in the order the API returns them. */
  pods(): Promise<V1Pod[]>;
  daemonSet(): Promise<V1DaemonSet>;
  nodes(): Promise<V1Node[]>;
}

/**
 * A simulator on a clock that moves only when the test advances it, an EKS client, and Kubernetes clients per
 * cluster: what a rollout gate sees, step by step.
 */
export interface KubernetesRig {
  readonly sim: Simulator;
  readonly eks: EKSClient;
  kube(cluster: string, credentials?: { accessKeyId: string; secretAccessKey: string }): Promise<KubeClients>;
  /** Moves virtual time on by `seconds`. */
  advance(seconds: number): void;
  update(cluster: string, version: string): Promise<void>;
  addon(cluster: string): Promise<Addon>;
  close(): Promise<void>;
}

export async function startKubernetesRig(fleet: FleetLike): Promise<KubernetesRig> {
  const clock = createVirtualClock({ speed: 1, start: Date.parse('2026-03-02T08:00:00Z'), realNow: () => 0 });
  const sim = await startSimulator({ fleet: parseOrThrow(FleetFile, fleet, 'fleet'), clock, unref: true, knownCredentials: [RIG_KEY] });
  const eks = new EKSClient({ endpoint: sim.endpoint, region: 'us-east-1', credentials: RIG_KEY });
  return {
    sim,
    eks,
    kube: async (name, credentials = RIG_KEY) => {
      const described = (await eks.send(new DescribeClusterCommand({ name }))).cluster!;
      const { token } = await eksToken({ clusterName: name, region: 'us-east-1', credentials });
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name, server: described.endpoint!, skipTLSVerify: true }],
        users: [{ name: 'rig', token }],
        contexts: [{ name, cluster: name, user: 'rig' }],
        currentContext: name,
      });
      const core = config.makeApiClient(CoreV1Api);
      const apps = config.makeApiClient(AppsV1Api);
      return {
        core,
        apps,
        pods: async () => (await core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=aws-node' })).items,
        daemonSet: () => apps.readNamespacedDaemonSet({ name: 'aws-node', namespace: 'kube-system' }),
        nodes: async () => (await core.listNode()).items,
      };
    },
    advance: (seconds) => clock.advance(seconds * 1000),
    update: async (cluster, version) => {
      await eks.send(new UpdateAddonCommand({ clusterName: cluster, addonName: 'vpc-cni', addonVersion: version }));
    },
    addon: async (cluster) => (await eks.send(new DescribeAddonCommand({ clusterName: cluster, addonName: 'vpc-cni' }))).addon!,
    close: async () => {
      eks.destroy();
      await sim.close();
    },
  };
}

/** `kubectl rollout status daemonset/aws-node`'s verdict (kubectl's DaemonSetStatusViewer). */
export function rolloutComplete(ds: V1DaemonSet): boolean {
  const status = ds.status!;
  return (ds.metadata!.generation ?? 0) <= (status.observedGeneration ?? 0) && (status.updatedNumberScheduled ?? 0) >= status.desiredNumberScheduled && (status.numberAvailable ?? 0) >= status.desiredNumberScheduled;
}

export const podReady = (pod: V1Pod): boolean => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The image tag of every container and init container of a pod's status, by container name. */
export const imageTags = (pod: V1Pod): Record<string, string> =>
  Object.fromEntries([...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].map((c) => [c.name, c.image.slice(c.image.lastIndexOf(':') + 1)]));

export const container = (pod: V1Pod, name: string) => pod.status?.containerStatuses?.find((c) => c.name === name);
