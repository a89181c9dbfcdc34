import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { AddonBusyError, type CniFleetError } from '../errors.js';
import { connectCluster, type ClusterReader } from '../kubernetes/cluster-reader.js';
import { awsNodeGate, refusalError } from '../plan/cluster-decision.js';
import { checkAwsNode } from '../rollout/check-aws-node.js';
import { addonSpec } from '../addon-spec.js';
import { restartBaseline, restartKey } from '../rollout/rollout-verdict.js';
import type { JsonObject } from '../json.js';
import type { AwsNodeBaselineState, ClusterState } from '../workflow/state.js';
import type { StepDeps } from './step-deps.js';

/** Where the cluster's Kubernetes API is (DescribeCluster), as the snapshot keeps it. */
export interface KubernetesApi {
  readonly endpoint: string;
  readonly certificateAuthority: string | null;
}

/** What the pre-flight leaves: the baseline for the gate (state), its fuller form for the snapshot item, and warnings. */
export interface Preflight {
  readonly baseline: AwsNodeBaselineState;
  /** Stored with the snapshot: every restarted container with its node and pod, and the faults when unhealthy. */
  readonly record: JsonObject;
  readonly warnings: readonly string[];
  /** Set when aws-node is unhealthy: the error to end the cluster with once the snapshot is stored (BLOCKED). */
  readonly refusal?: CniFleetError;
}

/** At most this many restarted containers are named in the snapshot item (the counts keyed by pod are all kept). */
const RECORDED_RESTARTS = 500;

/**
 * The IAM principal the cluster's API server sees for a function: the role it assumes in the cluster's account, or
 * its own execution role (serverless.yml names it cni-fleet-<stage>-<region>-<function>). Error messages name it as
 * the access entry to create.
 *
 * @example
 * kubernetesPrincipal({ roleArn: undefined }, 'pollHop') // 'the execution role of the pollHop function (cni-fleet-<stage>-<region>-pollHop)'
 */
export const kubernetesPrincipal = (cluster: Pick<ClusterState['cluster'], 'roleArn'>, functionKey: string): string =>
  cluster.roleArn ?? `the execution role of the ${functionKey} function (cni-fleet-<stage>-<region>-${functionKey})`;

/**
 * The aws-node pre-flight, in TakeSnapshot before any change (docs/rollout-gate.md): the same read as the rollout
 * gate. A rollout or a pod start in progress is waited for (AddonBusyError, retried by the state machine); an
 * unhealthy aws-node comes back with `refusal` (AwsNodeUnhealthyError: BLOCKED, its nodes named), to be thrown once
 * the snapshot has kept the finding; a healthy one yields the restart counts the gate compares with. With
 * `kubernetesAccess: 'best-effort'` an unreadable API is a warning, with `required` its error (BLOCKED: nothing has
 * changed yet).
 *
 * @throws AddonBusyError while aws-node is rolling out; KubernetesAccessError / KubernetesUnavailableError with `required`
 * @example
 * const { baseline, refusal } = await preflightAwsNode(state, deps, api, credentials);
 */
export async function preflightAwsNode(
  state: Pick<ClusterState, 'cluster' | 'options'> & Partial<Pick<ClusterState, 'addon'>>,
  deps: StepDeps,
  api: KubernetesApi,
  credentials: AwsCredentialIdentityProvider,
  reader?: ClusterReader,
): Promise<Preflight> {
  const { cluster, options } = state;
  const access = options.kubernetesAccess === 'off' ? undefined : options.kubernetesAccess;
  if (!access) throw new Error('preflightAwsNode: kubernetesAccess is off');
  const connect = async () =>
    (
      reader ??
      (await connectCluster({ name: cluster.name, region: cluster.region, key: cluster.key, endpoint: api.endpoint, certificateAuthority: api.certificateAuthority ?? undefined, principal: kubernetesPrincipal(cluster, 'takeSnapshot') }, credentials))
    ).get;
  const check = await checkAwsNode(connect, { mode: 'preflight', workload: addonSpec(state.addon).workload, soakSeconds: options.rolloutSoakSeconds, baseline: {}, restartsSeen: {} }, access, () => deps.now().getTime());
  if (check.kind === 'unchecked') {
    const baseline: AwsNodeBaselineState = { checked: false, desired: 0, restarts: {}, warning: check.warning };
    return { baseline, record: { ...baseline }, warnings: [check.warning] };
  }
  const { verdict } = check;
  const pods = check.pods ?? [];
  const restarted = pods.flatMap((pod) => pod.containers.filter((c) => c.restartCount > 0).map((c) => ({ node: pod.node, pod: pod.name, uid: pod.uid, container: c.name, restartCount: c.restartCount, key: restartKey(pod, c) })));
  const baseline: AwsNodeBaselineState = { checked: true, desired: verdict.counts.desired, restarts: restartBaseline(pods) };
  const record: JsonObject = {
    checked: true,
    verdict: verdict.status,
    desired: verdict.counts.desired,
    pods: pods.length,
    restarts: restarted.slice(0, RECORDED_RESTARTS).map(({ key: _key, ...r }) => r),
    ...(restarted.length > RECORDED_RESTARTS ? { restartsOmitted: restarted.length - RECORDED_RESTARTS } : {}),
    ...(verdict.status === 'UNHEALTHY' ? { faults: verdict.faults.map((f) => ({ ...f })) } : {}),
  };
  // The rules `cni-fleet plan` shares (lib/plan/cluster-decision.ts): wait for a rollout, refuse a broken aws-node.
  const gate = awsNodeGate(verdict);
  if (gate.kind === 'wait') throw new AddonBusyError(cluster.key, gate.status);
  return { baseline, record, warnings: [], ...(gate.kind === 'refuse' ? { refusal: refusalError(cluster.key, gate) } : {}) };
}
