import { DescribeAddonCommand, DescribeUpdateCommand } from '@aws-sdk/client-eks';
import { AddonUnhealthyError, AddonUpdateFailedError, AwsNodeRolloutError, CniFleetError, HopTimeoutError, SettingsChangedError } from '../errors.js';
import { keptSettings, settingsDifferences } from '../addon/kept-settings.js';
import { translateEksError } from '../aws/eks-errors.js';
import type { ClusterState, HopState } from '../workflow/state.js';
import { verifyMigration } from './verify-migration.js';
import { gateHop } from './aws-node-gate.js';
import { recordHop } from './record-hop.js';
import { addonSpec } from '../addon-spec.js';
import { nextPollSeconds } from './hop-wait.js';
import type { StepDeps } from './step-deps.js';

const FAILED_ADDON = new Set(['UPDATE_FAILED', 'CREATE_FAILED', 'DEGRADED', 'DELETE_FAILED']);

type PollState = Pick<ClusterState, 'runId' | 'cluster' | 'options' | 'hop' | 'snapshot'> & Partial<Pick<ClusterState, 'plan' | 'addon'>>;

// The state machine retries these (UpgradeCluster in statemachines/workflows.asl.yaml, PollHop Retry): they end no hop.
const RETRIED = new Set(['EksThrottledError', 'EksUnavailableError', 'KubernetesUnavailableError']);
/** At most this many nodes at fault go on the hop record (DynamoDB items stay well under 400 KB); all are counted. */
const RECORDED_FAULTS = 50;

/**
 * The poll that ends a hop counts too, and what it found goes on the hop's record. RecordFailure runs next with
 * the state from before this poll (the Catch keeps `$.hop`), so it would record one poll too few and no health
 * issues; its own write of the same outcome then leaves this record as it is (ProgressStore.updateHop).
 */
async function recordEndingPoll(state: PollState, deps: StepDeps, error: unknown): Promise<void> {
  const hop = state.hop;
  if (!hop || !(error instanceof CniFleetError) || RETRIED.has(error.name)) return;
  const code = error instanceof AddonUpdateFailedError ? error.errors[0]?.errorCode : undefined;
  try {
    await deps.store.updateHop(state.runId, state.cluster.key, hop.index, {
      polls: hop.polls + 1,
      outcome: error instanceof HopTimeoutError ? 'TIMED_OUT' : 'FAILED',
      error: { name: error.name, message: error.message, ...(code ? { code } : {}) },
      ...(error instanceof AddonUnhealthyError ? { healthIssues: error.issues.map((i) => ({ code: i.code ?? '', message: i.message ?? '' })) } : {}),
      ...(error instanceof AwsNodeRolloutError
        ? {
            rollout: {
              verdict: 'UNHEALTHY' as const,
              reads: (hop.rollout?.reads ?? 0) + 1,
              ...error.counts,
              faults: error.faults.slice(0, RECORDED_FAULTS).map((f) => ({ ...f })),
              faultCount: error.faults.length,
              notes: [],
            },
          }
        : {}),
    });
  } catch {
    // The EKS finding is what the workflow must see; RecordFailure still records the hop (one poll short).
  }
}

/**
 * PollHop: one look at the hop, one DescribeAddon. EKS is done only when the add-on is ACTIVE AND has no health
 * issues AND reports the hop's version (an add-on still ACTIVE at the old version right after UpdateAddon is not
 * done) — the combined check no waiter makes (the SDK's AddonActive waiter ignores UPDATE_FAILED). When the add-on
 * shows a failure (UPDATE_FAILED, DEGRADED, …), DescribeUpdate (with addonName) adds EKS's errors. Then, in the same invocation, the rollout gate reads
 * aws-node (lib/steps/aws-node-gate.ts): the hop is SUCCEEDED only once its pods rolled out healthy, and ROLLING
 * (no EKS call, the gate alone) until then. A hop found done is recorded here (lib/steps/record-hop.ts) and
 * `next` names the plan position that follows.
 *
 * @throws AddonUpdateFailedError (Failed/Cancelled), AddonUnhealthyError (DEGRADED, *_FAILED, health issues),
 *   HopTimeoutError (past the hop's deadline: no new update is issued on top of it), SettingsChangedError
 *   (configurationValues, role or pod identity associations no longer those of the snapshot), AwsNodeRolloutError
 *   (the gate: nodes at fault), KubernetesAccessError / KubernetesUnavailableError (kubernetesAccess `required`)
 * @example
 * const hop = await pollHop(state, deps); // { …, status: 'SUCCEEDED', polls: 1, durationSeconds: 66, settledSeconds: 180 }
 */
export async function pollHop(state: PollState, deps: StepDeps): Promise<HopState> {
  try {
    const hop = await pollOnce(state, deps);
    // Done: the hop's record is closed here, and the Choice after this poll goes on from `next`.
    return hop.status === 'SUCCEEDED' ? { ...hop, next: await recordHop(state, deps, hop) } : hop;
  } catch (error) {
    await recordEndingPoll(state, deps, error);
    throw error;
  }
}

async function pollOnce(state: PollState, deps: StepDeps): Promise<HopState> {
  const { cluster, options } = state;
  const hop = state.hop;
  if (!hop) throw new Error('PollHop needs the hop (ASL order)');
  const eks = deps.eksFor(cluster);
  const ref = cluster.key;
  const polls = hop.polls + 1;
  const now = deps.now();
  // EKS reported the hop done at an earlier poll: only the rollout gate is left.
  if (hop.status === 'ROLLING') return gateHop(state, deps, { ...hop, polls, addonChecked: false }, now);
  const pending = (): HopState => {
    if (now.getTime() >= Date.parse(hop.deadline)) throw new HopTimeoutError(cluster.key, hop.to, polls);
    const left = Math.ceil((Date.parse(hop.deadline) - now.getTime()) / 1000);
    return { ...hop, polls, status: 'IN_PROGRESS', waitSeconds: Math.max(1, Math.min(nextPollSeconds(options, hop.earlierSeconds ?? []), left)) };
  };

  // One read per poll: DescribeAddon alone tells whether the hop is done (ACTIVE at the hop's version with no health
  // issue), still running, or failed. The Update object is read only when the add-on shows a failure, for EKS's
  // errors: what the failure was matters, and it costs a read only on the hop that ends FAILED.
  const addon = await eks
    .send(new DescribeAddonCommand({ clusterName: cluster.name, addonName: addonSpec(state.addon).name }))
    .then((out) => out.addon, (error: unknown) => translateEksError(error, ref));
  const issues = (addon?.health?.issues ?? []).map((i) => ({ code: i.code ?? '', message: i.message ?? '' }));
  const addonStatus = addon?.status ?? 'UNKNOWN';
  if (FAILED_ADDON.has(addonStatus) && hop.updateId) {
    const update = await eks
      .send(new DescribeUpdateCommand({ name: cluster.name, updateId: hop.updateId, addonName: addonSpec(state.addon).name }))
      .then((out) => out.update, (error: unknown) => translateEksError(error, ref));
    if (update?.status === 'Failed' || update?.status === 'Cancelled')
      throw new AddonUpdateFailedError(cluster.key, hop.updateId, (update.errors ?? []).map((e) => ({ errorCode: e.errorCode ?? 'Unknown', errorMessage: e.errorMessage ?? '' })));
    // Our update still running: the add-on's state is not its verdict yet.
    if (update?.status === 'InProgress') return pending();
  }
  if (FAILED_ADDON.has(addonStatus) || (addonStatus === 'ACTIVE' && issues.length > 0))
    throw new AddonUnhealthyError(cluster.key, addonStatus, issues);
  // Not yet ACTIVE at the hop's version (still UPDATING, or still ACTIVE at the old one right after UpdateAddon) — look again.
  if (addonStatus !== 'ACTIVE' || addon?.addonVersion !== hop.to) return pending();
  const updateFinishedAt = addon.modifiedAt?.getTime() ?? now.getTime();
  const durationSeconds = Math.max(1, Math.round((updateFinishedAt - Date.parse(hop.startedAt)) / 1000));
  // The settings are compared after every hop, from the DescribeAddon this poll made anyway: a hop that lost one
  // (or a change made by someone else since the snapshot) stops the cluster at this hop, not after the last.
  if (!state.snapshot) throw new Error('PollHop needs the snapshot (ASL order)');
  const differences = settingsDifferences(addon, keptSettings(state.snapshot, state.plan));
  if (differences.length > 0) throw new SettingsChangedError(cluster.key, hop.to, differences);
  // A create ends only once the DaemonSet shows the settings the migration carried over.
  if (hop.kind === 'create') await verifyMigration(state, hop, deps.eksFor);
  const gated = await gateHop(state, deps, { ...hop, polls, durationSeconds }, now);
  // This read checked everything VerifyUpgrade checks; it stands for the add-on only if the hop ends at it.
  return gated.status === 'SUCCEEDED' ? { ...gated, addonChecked: true } : gated;
}
