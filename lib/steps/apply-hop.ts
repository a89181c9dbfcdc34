import { createHash } from 'node:crypto';
import { DescribeAddonCommand, DescribeUpdateCommand, ListUpdatesCommand, UpdateAddonCommand } from '@aws-sdk/client-eks';
import type { EKSClient, Update } from '@aws-sdk/client-eks';
import { AddonBusyError, AddonRequestRejectedError, StepAlreadyRecordedError } from '../errors.js';
import { eksErrorName, isInUse, rejectedRequest, translateEksError } from '../aws/eks-errors.js';
import type { ClusterState, HopState, PlannedHop } from '../workflow/state.js';
import { lockTtlSeconds } from './acquire-lock.js';
import { createManagedAddon } from './create-managed-addon.js';
import { addonSpec } from '../addon-spec.js';
import { earlierDurations, firstWaitSeconds } from './hop-wait.js';
import type { StepDeps } from './step-deps.js';

/**
 * The clientRequestToken of one hop of one run: the same on every retry of ApplyHop, so EKS (an idempotency
 * token: docs/eks-behaviour.md#idempotency-tokens) returns the update it already started instead of starting a second
 * one.
 */
export const hopToken = (runId: string, clusterKey: string, hopIndex: number, version: string): string => {
  const h = createHash('sha256').update(`${runId}|${clusterKey}|${hopIndex}|${version}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** The version an add-on update moves to, from its params (docs/eks-behaviour.md#the-update-lifecycle). */
const targetOf = (update: Update | undefined): string | undefined => update?.params?.find((p) => p.type === 'AddonVersion')?.value;

/**
 * After a 409, finds the update in progress. Ours (same version: a retry whose first response was lost, or a
 * resumed run) is adopted; someone else's makes the step wait (AddonBusyError, retried by the ASL).
 */
async function adoptInProgress(eks: EKSClient, addonName: string, clusterName: string, key: string, version: string): Promise<Update | undefined> {
  const addon = (await eks.send(new DescribeAddonCommand({ clusterName, addonName }))).addon;
  if (addon?.status === 'ACTIVE' && addon.addonVersion === version) return undefined;
  const ids = (await eks.send(new ListUpdatesCommand({ name: clusterName, addonName }))).updateIds ?? [];
  for (const updateId of [...ids].reverse()) {
    const update = (await eks.send(new DescribeUpdateCommand({ name: clusterName, updateId, addonName }))).update;
    if (update?.status === 'InProgress') {
      if (targetOf(update) === version) return update;
      break;
    }
  }
  throw new AddonBusyError(key, addon?.status ?? 'UNKNOWN');
}

/**
 * Runs a CreateAddon/UpdateAddon request; when EKS refuses it (AddonRequestRejectedError), the hop is recorded
 * before the error goes on: started and ended FAILED at once, with no update id and EKS's refusal as its error, so
 * the progress log shows which move EKS refused and why, not a run that stopped between two hops.
 */
async function refusalRecorded<T>(
  state: Pick<ClusterState, 'runId' | 'cluster'>,
  deps: StepDeps,
  hop: PlannedHop,
  now: Date,
  request: () => Promise<T>,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof AddonRequestRejectedError)) throw error;
    await deps.store.startHop(state.runId, state.cluster.key, { index: hop.index, fromVersion: hop.from, version: hop.to, kind: hop.kind, updateId: null, startedAt: now.toISOString() });
    await deps.store.updateHop(state.runId, state.cluster.key, hop.index, {
      outcome: 'FAILED',
      polls: 0,
      endedAt: now.toISOString(),
      error: { name: error.name, message: error.message, code: error.errorCode },
    });
    throw error;
  }
}

/**
 * ApplyHop: starts the next hop with UpdateAddon — the hop's version, the configured resolveConflicts and the
 * snapshot's IRSA role re-sent every time (an omitted role reverts to the node role:
 * docs/eks-behaviour.md#omitted-role). configurationValues are omitted on purpose: omitted keeps the current custom
 * configuration, while re-sending the snapshot's text would overwrite any change made since and "{}" would reset it
 * (docs/eks-behaviour.md#omitted-configurationvalues); VerifyUpgrade checks the result against the snapshot. The
 * snapshot's pod identity associations ({serviceAccount, roleArn} pairs) are re-sent every time too, like the role:
 * "omitted = no change" is only the API reference's word (docs/eks-behaviour.md#pod-identity-associations), and the
 * same pairs keep the same associations. Without any they are omitted, never sent as [] (which deletes the add-on's
 * associations); VerifyUpgrade compares the association ARNs with the snapshot's.
 *
 * @throws AddonBusyError when someone else's update is in progress; AddonRequestRejectedError when EKS refuses
 *   (the refused hop is recorded FAILED with EKS's error first)
 * @example
 * const hop = await applyHop(state, deps); // { index: 1, to: 'v1.13.4-eksbuild.1', updateId: '…', status: 'IN_PROGRESS', waitSeconds: 60 }
 */
export async function applyHop(state: Pick<ClusterState, 'runId' | 'executionId' | 'cluster' | 'options' | 'snapshot' | 'plan' | 'hop'> & Partial<Pick<ClusterState, 'lock' | 'addon'>>, deps: StepDeps): Promise<HopState> {
  const addonName = addonSpec(state.addon).name;
  const { cluster, options, snapshot, plan } = state;
  if (!snapshot || !plan) throw new Error('ApplyHop needs the snapshot and the plan (ASL order)');
  // The previous hop's PollHop recorded it and named the next position; the first hop starts at the plan's.
  const position = state.hop?.next ?? plan.nextHop;
  const hop = plan.hops[position];
  if (!hop) throw new Error(`ApplyHop: no hop ${position} in a plan of ${plan.hopCount}`);
  const now = deps.now();
  // The lock is renewed only when what is left of it might not cover this hop (its timeout) and the lock's own
  // margin: with the default timeout that is never within eight hops, one conditional write less per hop. A state
  // without the expiry (a run started before it was carried) renews as before.
  const lockUntil = state.hop?.lockExpiresAt ?? state.lock?.expiresAt;
  const ttl = lockTtlSeconds(options);
  const renew = lockUntil === undefined || lockUntil - now.getTime() / 1000 < ttl - options.hopTimeoutSeconds;
  const lockExpiresAt = renew ? Math.floor(now.getTime() / 1000) + ttl : lockUntil;
  const hopState = (started: boolean, updateId: string | null, startedAt: Date): HopState => {
    // The waits come from what EKS took for this cluster's earlier hops (lib/steps/hop-wait.ts).
    const earlierSeconds = earlierDurations(state.hop);
    const firstWait = firstWaitSeconds(options, earlierSeconds, state.hop?.settledSeconds ?? null);
    return {
      index: hop.index,
      from: hop.from,
      to: hop.to,
      kind: hop.kind,
      updateId,
      startedAt: startedAt.toISOString(),
      polls: 0,
      status: started ? 'IN_PROGRESS' : 'SUCCEEDED',
      waitSeconds: started ? firstWait : 0,
      deadline: new Date(startedAt.getTime() + options.hopTimeoutSeconds * 1000).toISOString(),
      durationSeconds: started ? null : 0,
      settledSeconds: null,
      lockExpiresAt,
      position,
      earlierSeconds,
    };
  };
  if (renew) await deps.store.acquireLock(cluster.key, state.executionId, ttl, now, state.runId);

  // The progress log first (check state first): when an earlier attempt of this ApplyHop already
  // started the hop and recorded it, and only its result was lost, the retry adopts that hop without a second
  // CreateAddon/UpdateAddon request. (The per-hop clientRequestToken covers the narrower gap between EKS
  // accepting the request and the record being written: EKS answers a repeated token with the same update.)
  const recorded = await deps.store.getHop(state.runId, cluster.key, hop.index);
  if (recorded && recorded.version === hop.to) {
    // A hop that an earlier attempt saw refused (or that ended otherwise) is history, not a hop to adopt.
    if (recorded.outcome !== 'IN_PROGRESS' && recorded.outcome !== 'SUCCEEDED')
      throw new StepAlreadyRecordedError(recorded.type, recorded.pk, recorded.sk, `hop ${hop.index} already ended ${recorded.outcome}: ${recorded.error?.message ?? 'no error recorded'}`);
    return hopState(recorded.updateId !== null || hop.kind === 'create', recorded.updateId, new Date(recorded.startedAt));
  }

  const eks = deps.eksFor(cluster);
  let update: Update | undefined;
  // A self-managed install is adopted with CreateAddon; there is no Update object, PollHop watches the add-on.
  if (hop.kind === 'create' && plan.migration) {
    const migration = plan.migration;
    const addon = await refusalRecorded(state, deps, hop, now, () =>
      createManagedAddon(eks, { cluster, addon: addonName, version: hop.to, migration, clientRequestToken: hopToken(state.runId, cluster.key, hop.index, hop.to) }),
    );
    update = { createdAt: addon.createdAt ?? now };
  } else try {
    update = (
      await eks.send(
        new UpdateAddonCommand({
          clusterName: cluster.name,
          addonName,
          addonVersion: hop.to,
          resolveConflicts: options.resolveConflicts,
          ...(snapshot.serviceAccountRoleArn ? { serviceAccountRoleArn: snapshot.serviceAccountRoleArn } : {}),
          ...(snapshot.podIdentityPairs.length > 0 ? { podIdentityAssociations: snapshot.podIdentityPairs } : {}),
          clientRequestToken: hopToken(state.runId, cluster.key, hop.index, hop.to),
        }),
      )
    ).update;
  } catch (error) {
    if (isInUse(error)) update = await adoptInProgress(eks, addonName, cluster.name, cluster.key, hop.to);
    else if (eksErrorName(error) === 'InvalidParameterException' || eksErrorName(error) === 'InvalidRequestException')
      await refusalRecorded(state, deps, hop, now, () => Promise.reject(rejectedRequest(error, cluster.key, hop.to)));
    else translateEksError(error, cluster.key);
  }

  const result = hopState(update !== undefined, update?.id ?? null, update?.createdAt ?? now);
  await deps.store.startHop(state.runId, cluster.key, {
    index: hop.index,
    fromVersion: hop.from,
    version: hop.to,
    kind: hop.kind,
    updateId: result.updateId,
    startedAt: result.startedAt,
  });
  // Later hops' currentHop was already moved on by the PollHop that recorded the hop before them
  // (lib/steps/record-hop.ts): one cluster write per hop instead of two.
  if (position === 0) await deps.store.updateCluster(state.runId, cluster.key, { step: 'ApplyHop', currentHop: hop.index });
  return result;
}
