import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { credentialsOf } from '../aws/clients.js';
import { translateEksError } from '../aws/eks-errors.js';
import { AwsNodeRolloutError } from '../errors.js';
import { connectCluster } from '../kubernetes/cluster-reader.js';
import { checkAwsNode } from '../rollout/check-aws-node.js';
import { addonSpec } from '../addon-spec.js';
import type { ClusterState, HopRolloutState, HopState } from '../workflow/state.js';
import { kubernetesPrincipal } from './aws-node-preflight.js';
import type { StepDeps } from './step-deps.js';

/** Lines of what the gate waits for that the hop state carries (the console shows them). */
const WAITING_LINES = 4;

/**
 * The rollout gate, PollHop's second half once EKS reports the hop done (docs/rollout-gate.md): one read of the
 * aws-node DaemonSet (and its pods when needed) judged against the hop's build, the pre-flight's restart baseline,
 * the soak and the hop's deadline.
 *
 * - healthy: the hop is SUCCEEDED; `settledSeconds` (when it could have passed) becomes the next hop's first wait;
 * - still moving (pods rolling or starting, a node joining, a soak not over): ROLLING, the next read after a poll
 *   interval, or exactly when the soak ends when only the soak is left;
 * - unhealthy, or still moving at the hop's deadline: AwsNodeRolloutError with the nodes at fault;
 * - best-effort and the API unreadable: SUCCEEDED with a warning (EKS's checks alone decided).
 *
 * @throws AwsNodeRolloutError; KubernetesAccessError / KubernetesUnavailableError with kubernetesAccess `required`
 * @example
 * const next = await gateHop(state, deps, { ...hop, durationSeconds: 84 }, deps.now()); // { status: 'ROLLING', waitSeconds: 36, … }
 */
export async function gateHop(state: Pick<ClusterState, 'cluster' | 'options' | 'snapshot'> & Partial<Pick<ClusterState, 'addon'>>, deps: StepDeps, hop: HopState, now: Date): Promise<HopState> {
  const { cluster, options, snapshot } = state;
  const access = options.kubernetesAccess;
  const previous: HopRolloutState = hop.rollout ?? { reads: 0, restarts: {}, waiting: [] };
  if (access === 'off') return { ...hop, status: 'SUCCEEDED', waitSeconds: 0, rollout: { ...previous, verdict: 'OFF' } };
  const eks = deps.eksFor(cluster);
  const connect = async () => {
    // TakeSnapshot kept where the API is; a state from before it did asks EKS once.
    const api =
      snapshot?.kubernetesApi ??
      (await eks.send(new DescribeClusterCommand({ name: cluster.name })).then(
        (out) => ({ endpoint: out.cluster?.endpoint ?? '', certificateAuthority: out.cluster?.certificateAuthority?.data ?? null }),
        (error: unknown) => translateEksError(error, cluster.key),
      ));
    const reader = await connectCluster(
      { name: cluster.name, region: cluster.region, key: cluster.key, endpoint: api.endpoint, certificateAuthority: api.certificateAuthority ?? undefined, principal: kubernetesPrincipal(cluster, 'pollHop') },
      credentialsOf(eks),
    );
    return reader.get;
  };
  const deadline = Date.parse(hop.deadline);
  const check = await checkAwsNode(
    connect,
    { mode: 'gate', workload: addonSpec(state.addon).workload, version: hop.to, soakSeconds: options.rolloutSoakSeconds, baseline: snapshot?.awsNode?.restarts ?? {}, restartsSeen: previous.restarts, deadline },
    access,
    () => now.getTime(),
  );
  const reads = previous.reads + 1;
  if (check.kind === 'unchecked') return { ...hop, status: 'SUCCEEDED', waitSeconds: 0, rollout: { reads, restarts: {}, waiting: [], verdict: 'UNCHECKED', warning: check.warning } };
  const { verdict } = check;
  if (verdict.status === 'UNHEALTHY') throw new AwsNodeRolloutError(cluster.key, hop.to, verdict.faults, verdict.counts);
  if (verdict.status === 'PENDING') {
    const left = Math.max(1, Math.ceil((deadline - now.getTime()) / 1000));
    const soakLeft = verdict.soakEndsAt === null ? options.pollIntervalSeconds : Math.ceil((verdict.soakEndsAt - now.getTime()) / 1000);
    const wait = verdict.rolling ? options.pollIntervalSeconds : soakLeft;
    return { ...hop, status: 'ROLLING', waitSeconds: Math.max(1, Math.min(wait, left)), rollout: { reads, restarts: { ...verdict.restarts }, waiting: verdict.waiting.slice(0, WAITING_LINES) } };
  }
  const settled = Math.ceil((verdict.settledAt - Date.parse(hop.startedAt)) / 1000);
  return {
    ...hop,
    status: 'SUCCEEDED',
    waitSeconds: 0,
    settledSeconds: Math.max(hop.durationSeconds ?? 1, settled),
    rollout: { reads, restarts: {}, waiting: [], verdict: 'HEALTHY', counts: { ...verdict.counts }, notes: [...verdict.notes] },
  };
}
