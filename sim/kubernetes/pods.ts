import type { DaemonSetState, Revision, SimPod } from './daemonset-rollout.js';
import { podTemplate, templateImages, type ManifestCluster } from '../../lib/kubernetes/aws-node-manifest.js';
import { isoSeconds, type KubeObject } from '../../lib/kubernetes/kube-object.js';
import type { SimNode } from './nodes.js';
import { SIMULATOR_MANIFEST_RULES } from './stock-env.js';
import { podStatus } from './pod-status.js';

// The tolerations the DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util,
// AddOrUpdateDaemonPodTolerations); aws-node runs on the host network, so network-unavailable too.
const DAEMON_TOLERATIONS: readonly KubeObject[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Renders the pods of one DaemonSet at one moment; the templates are rendered once per revision. */
export class PodRenderer {
  private readonly templates = new Map<number, ReturnType<typeof podTemplate>>();

  constructor(
    private readonly cluster: Pick<ManifestCluster, 'name' | 'region' | 'uid'>,
    private readonly ds: DaemonSetState,
    private readonly now: number,
  ) {}

  private revision(generation: number): Revision {
    return this.ds.revisions.find((r) => r.generation === generation)!;
  }

  /**
   * A pod as `kubectl get pod -o json` shows it: the template's spec bound to its node, the labels the DaemonSet
   * controller adds (`controller-revision-hash`, `pod-template-generation`), its owner, and its status now.
   */
  render(pod: SimPod, node: SimNode): KubeObject {
    const revision = this.revision(pod.generation);
    let template = this.templates.get(revision.generation);
    if (!template) {
      template = podTemplate(SIMULATOR_MANIFEST_RULES, this.cluster, revision.source);
      this.templates.set(revision.generation, template);
    }
    const spec = template.spec;
    const lastChange = Math.min(this.now, pod.readyAt ?? this.now);
    return {
      metadata: {
        name: pod.name,
        generateName: 'aws-node-',
        namespace: 'kube-system',
        uid: pod.uid,
        resourceVersion: String(Math.max(1, Math.floor(lastChange / 1000))),
        creationTimestamp: isoSeconds(pod.createdAt),
        labels: { ...template.metadata.labels, 'controller-revision-hash': revision.hash, 'pod-template-generation': String(revision.generation) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'aws-node', uid: this.ds.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        ...spec,
        nodeName: node.name,
        tolerations: [...((spec.tolerations as KubeObject[] | undefined) ?? []), ...DAEMON_TOLERATIONS],
        // The controller pins each daemon pod to its node (ReplaceDaemonSetPodNodeNameNodeAffinity).
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node.name] }] }] },
          },
        },
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 2000001000,
      },
      status: podStatus(pod, templateImages(SIMULATOR_MANIFEST_RULES, this.cluster.region, revision.source.version), node.ip, this.now),
    };
  }
}
