import { DescribeAddonCommand } from '@aws-sdk/client-eks';
import { VerificationFailedError } from '../errors.js';
import { keptSettings, settingsDifferences } from '../addon/kept-settings.js';
import { translateEksError } from '../aws/eks-errors.js';
import type { ClusterState } from '../workflow/state.js';
import type { ClusterResult } from './cluster-result.js';
import { clusterResult } from './cluster-result.js';
import { addonSpec } from '../addon-spec.js';
import { releaseLock } from './release-lock.js';
import type { StepDeps } from './step-deps.js';

/**
 * VerifyUpgrade: the add-on is ACTIVE and healthy at the target, and its configurationValues, IRSA role and pod
 * identity associations equal the snapshot's — from its own DescribeAddon, or from the one the PollHop that ended
 * the last hop made a state earlier when that read found all of it (`hop.addonChecked`). Records the cluster UPGRADED (or UNCHANGED for zero hops), then
 * releases the cluster's lock (and closes a run of one cluster) in the same invocation — the execution's last
 * state, one state transition and one Lambda invocation less per cluster than a ReleaseLock of its own. A release
 * that fails after the SDK's retries leaves the lock to expire on its own (`lockTtlSeconds`, the crashed-execution
 * path) rather than turning a verified upgrade into a failure.
 *
 * @throws VerificationFailedError listing every difference
 * @example
 * await verifyUpgrade(state, deps) // { name: 'payments-prod', status: 'UPGRADED', from: 'v1.12.6-eksbuild.2', to: 'v1.19.0-eksbuild.1', hops: 7, error: null }
 */
export async function verifyUpgrade(state: Pick<ClusterState, 'runId' | 'executionId' | 'trigger' | 'cluster' | 'snapshot' | 'plan'> & Partial<Pick<ClusterState, 'hop' | 'addon'>>, deps: StepDeps): Promise<ClusterResult> {
  const { cluster, snapshot, plan } = state;
  if (!snapshot || !plan) throw new Error('VerifyUpgrade needs the snapshot and the plan (ASL order)');
  // A self-managed install left as it is (a symbolic target older than it: planPath's note) has no add-on to read.
  if (snapshot.install === 'self-managed' && plan.hopCount === 0) {
    await deps.store.updateCluster(state.runId, cluster.key, { step: 'VerifyUpgrade', status: 'UNCHANGED', endedAt: deps.now().toISOString() });
    await releaseAfterVerify(state, deps);
    return clusterResult(state, 'UNCHANGED', snapshot.addonVersion);
  }
  const expected = plan.hopCount > 0 ? plan.hops[plan.hopCount - 1]!.to : snapshot.addonVersion;
  const hop = state.hop;
  // The PollHop that ended the last hop read the add-on a state ago and checked exactly what is checked below (ACTIVE,
  // no health issue, at the hop's version, the kept settings against the same snapshot and plan): its read is
  // this verification, taken a Choice earlier. Any other way here (no hop, a hop found already done, a hop whose
  // gate passed at a later look than the read) reads the add-on again.
  const checkedByLastPoll = hop?.addonChecked === true && hop.status === 'SUCCEEDED' && hop.next === plan.hopCount && hop.to === expected;
  if (!checkedByLastPoll) await verifyAddon(state, expected, deps);

  const status = plan.hopCount > 0 ? 'UPGRADED' : 'UNCHANGED';
  await deps.store.updateCluster(state.runId, cluster.key, { step: 'VerifyUpgrade', status, endedAt: deps.now().toISOString() });
  await releaseAfterVerify(state, deps);
  return clusterResult(state, status, expected);
}

/** One DescribeAddon judged against what the run must have left. @throws VerificationFailedError listing every difference */
async function verifyAddon(state: Pick<ClusterState, 'cluster' | 'snapshot' | 'plan'> & Partial<Pick<ClusterState, 'addon'>>, expected: string, deps: StepDeps): Promise<void> {
  const { cluster, snapshot, plan } = state;
  if (!snapshot || !plan) throw new Error('VerifyUpgrade needs the snapshot and the plan (ASL order)');
  const eks = deps.eksFor(cluster);
  const addon = await eks
    .send(new DescribeAddonCommand({ clusterName: cluster.name, addonName: addonSpec(state.addon).name }))
    .then((out) => out.addon, (error: unknown) => translateEksError(error, cluster.key));
  const differences: string[] = [];
  if (addon?.addonVersion !== expected) differences.push(`addonVersion is ${addon?.addonVersion ?? 'absent'}, expected ${expected}`);
  if (addon?.status !== 'ACTIVE') differences.push(`status is ${addon?.status ?? 'absent'}, expected ACTIVE`);
  if ((addon?.health?.issues ?? []).length > 0) differences.push(`health issues: ${(addon?.health?.issues ?? []).map((i) => i.code).join(', ')}`);
  // PollHop compared these after every hop already; a change made after the last hop still shows here.
  differences.push(...settingsDifferences(addon, keptSettings(snapshot, plan)));
  if (differences.length > 0) throw new VerificationFailedError(cluster.key, differences);
}

async function releaseAfterVerify(state: Parameters<typeof releaseLock>[0], deps: StepDeps): Promise<void> {
  try {
    await releaseLock(state, deps);
  } catch {
    // The outcome is recorded; the lock expires on its own (see above).
  }
}
