import { DescribeAddonCommand, DescribeClusterCommand, paginateListClusters } from '@aws-sdk/client-eks';
import type { Cluster, EKSClient } from '@aws-sdk/client-eks';
import { isNotFound, translateEksError } from '../aws/eks-errors.js';
import { EksThrottledError, EksUnavailableError, ProgressRecordNotFoundError } from '../errors.js';
import type { LaneEntry } from '../fleet/lanes.js';
import { mapConcurrent } from '../concurrency/map-concurrent.js';
import { optOutRefusal } from '../plan/cluster-decision.js';
import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import type { DiscoveredCluster } from '../store/fleet-records.js';
import type { RecordedError } from '../store/progress-store.js';
import { planPath } from '../versions/plan-path.js';
import { offeredBuilds } from '../addon/eks-catalogue.js';
import { addonSpec, type AddonSpec } from '../addon-spec.js';
import { closeLaneDiscovery, UNKNOWN_WORK } from './lane-waves.js';
import type { LaneCluster } from './lane-waves.js';
import type { StepDeps } from './step-deps.js';

/** What one lane's discovery child is given (the discovery Map's ItemSelector). */
export interface DiscoverLaneEvent {
  readonly runId: string;
  readonly lane: number;
  /** The add-on's name (the fleet state's `addon`); absent in a lane started before the field existed: vpc-cni. */
  readonly addon?: string | undefined;
  readonly options: Pick<UpgradeOptions, 'target' | 'allowDowngrade'>;
  readonly waveTag: string;
  readonly skipTag: string;
  readonly filter: { readonly tags: Record<string, string>; readonly namePrefix?: string | undefined };
  /**
   * Set on the last attempt, after the retries (the ASL's Catch): reads that still fail are recorded FAILED with
   * their error instead of failing the lane, so every other cluster goes on.
   */
  readonly final?: boolean | undefined;
}

/** What the lane's discovery returns: counts only, so the Map's results stay small for any fleet. */
export interface LaneDiscovery {
  readonly lane: number;
  readonly clusters: number;
  readonly pending: number;
  readonly skipped: number;
  readonly failed: number;
  /** The lane could not be listed at all (e.g. its role cannot be assumed): the error, recorded on the lane. */
  readonly laneError: string | null;
}

// EKS API rate limits are unpublished (docs/quotas-and-prices.md#eks-api-request-rates: "design with client-side
// concurrency limits + SDK retries"); ten reads in flight per lane keep discovery to seconds without inviting
// throttling of the lane's account and Region.
const DESCRIBE_CONCURRENCY = 10;

type Read =
  | { readonly kind: 'run'; readonly wave: string; readonly expectedHops: number }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'filtered' }
  | { readonly kind: 'failed'; readonly error: RecordedError }
  | { readonly kind: 'transient'; readonly error: EksThrottledError | EksUnavailableError };

/** The typed error a failed EKS call stands for: retryable ones come back as such, anything else as it is. */
function typedError(error: unknown): Error {
  try {
    translateEksError(error);
  } catch (typed) {
    return typed instanceof Error ? typed : new Error(String(typed));
  }
  return new Error(String(error));
}

const isTransient = (error: Error): error is EksThrottledError | EksUnavailableError => error instanceof EksThrottledError || error instanceof EksUnavailableError;
const recorded = (error: Error): RecordedError => ({ name: error.name, message: error.message });

/**
 * The hops a cluster's upgrade is expected to take, for ordering only: DescribeAddon and the plan the cluster
 * workflow will make. Any failure here only costs ordering, never the discovery.
 */
async function expectedHops(eks: EKSClient, cluster: Cluster, spec: AddonSpec, options: DiscoverLaneEvent['options'], deps: StepDeps): Promise<number> {
  try {
    const addon = (await eks.send(new DescribeAddonCommand({ clusterName: cluster.name, addonName: spec.name }))).addon;
    if (!addon?.addonVersion || !cluster.version) return UNKNOWN_WORK;
    const builds = await offeredBuilds(eks, deps.cache, cluster.version, deps.now().getTime(), spec.name);
    const plan = planPath({ from: addon.addonVersion, target: options.target, kubernetesVersion: cluster.version, builds, allowDowngrade: options.allowDowngrade, policy: spec.versionPolicy });
    return plan.blocked ? 0 : plan.hops.length;
  } catch {
    return UNKNOWN_WORK;
  }
}

/**
 * DiscoverLane: one lane's clusters — its names from the list, or ListClusters in the lane's account and Region
 * (through the account's role) filtered by name prefix and tags — described ten at a time and recorded in batches
 * under the lane's own account: PENDING with their wave and expected hops, SKIPPED (opted out by the skip tag, or
 * gone: ListClusters can list ghosts: docs/eks-behaviour.md#listclusters-ghosts) or FAILED (a read EKS keeps refusing).
 * Then the lane's clusters of each wave, longest expected upgrade first, and the run's counters.
 *
 * A retry (throttling, 5xx) reads only what earlier attempts did not record. The last attempt (`final`) records
 * what still fails as FAILED; a lane that cannot be listed is recorded with its error. Either way the other lanes,
 * and the other clusters of this lane, go on.
 *
 * @throws EksThrottledError or EksUnavailableError (not on the last attempt) so that the ASL retries the lane
 * @example
 * await discoverLane({ runId, lane: 3, options, waveTag: 'cni-fleet/wave', skipTag: 'cni-fleet/skip', filter: { tags: {} } }, deps)
 */
export async function discoverLane(event: DiscoverLaneEvent, deps: StepDeps): Promise<LaneDiscovery> {
  const { runId } = event;
  const stored = await deps.store.getLane(runId, event.lane);
  if (!stored) throw new ProgressRecordNotFoundError('LANE', `RUN#${runId}`, `LANE#${event.lane}`);
  const lane = stored.lane;
  const counted = { lane: event.lane, clusters: 0, pending: 0, skipped: 0, failed: 0, laneError: null as string | null };

  let candidates: LaneEntry[];
  if (stored.entries) {
    candidates = stored.entries;
  } else {
    try {
      candidates = [];
      const eks = deps.eksFor({ accountId: lane.accountId, region: lane.region, roleArn: lane.roleArn });
      for await (const page of paginateListClusters({ client: eks }, {})) {
        for (const name of page.clusters ?? []) {
          if (event.filter.namePrefix && !name.startsWith(event.filter.namePrefix)) continue;
          candidates.push(lane.roleArn ? { name, roleArn: lane.roleArn } : { name });
        }
      }
    } catch (error) {
      const typed = typedError(error);
      if (isTransient(typed) && !event.final) throw typed;
      const message = `lane ${lane.accountId}/${lane.region} could not be listed: ${typed.name}: ${typed.message}`;
      await closeLaneDiscovery(runId, event.lane, [], { name: typed.name, message }, deps);
      return { ...counted, laneError: message };
    }
  }

  // What an earlier attempt already recorded is not read again.
  const already = await deps.store.listLaneClusters(runId, lane);
  const known = new Set(already.map((c) => c.clusterName));
  const todo = candidates.filter((c) => !known.has(c.name));

  const reads = await mapConcurrent(todo, DESCRIBE_CONCURRENCY, async (entry): Promise<Read> => {
    const eks = deps.eksFor({ accountId: lane.accountId, region: lane.region, roleArn: entry.roleArn });
    let cluster: Cluster | undefined;
    try {
      cluster = (await eks.send(new DescribeClusterCommand({ name: entry.name }))).cluster;
    } catch (error) {
      if (isNotFound(error)) return { kind: 'skipped', reason: 'DescribeCluster found no such cluster' };
      const typed = typedError(error);
      return isTransient(typed) ? { kind: 'transient', error: typed } : { kind: 'failed', error: recorded(typed) };
    }
    if (!cluster) return { kind: 'skipped', reason: 'DescribeCluster found no such cluster' };
    const tags = cluster.tags ?? {};
    if (Object.entries(event.filter.tags).some(([k, v]) => tags[k] !== v)) return { kind: 'filtered' };
    // The opt-out rule `cni-fleet plan` applies too (lib/plan/cluster-decision.ts).
    const optOut = optOutRefusal(tags, event.skipTag);
    if (optOut) return { kind: 'skipped', reason: optOut.reason };
    return { kind: 'run', wave: tags[event.waveTag] ?? '', expectedHops: await expectedHops(eks, cluster, addonSpec(event.addon), event.options, deps) };
  });

  const base = (name: string) => ({ accountId: lane.accountId, region: lane.region, clusterName: name, step: 'DiscoverLane' });
  const records: DiscoveredCluster[] = [];
  let transient: EksThrottledError | EksUnavailableError | undefined;
  todo.forEach((entry, i) => {
    const read = reads[i]!;
    if (read.kind === 'run') records.push({ ...base(entry.name), status: 'PENDING', wave: read.wave, expectedHops: read.expectedHops });
    else if (read.kind === 'skipped') records.push({ ...base(entry.name), status: 'SKIPPED', error: { name: 'ClusterSkippedError', message: read.reason } });
    else if (read.kind === 'failed') records.push({ ...base(entry.name), status: 'FAILED', error: read.error });
    else if (read.kind === 'transient') {
      if (event.final) records.push({ ...base(entry.name), status: 'FAILED', error: { name: read.error.name, message: `${read.error.message} (still failing after the retries)` } });
      else transient ??= read.error;
    }
  });
  await deps.store.putDiscoveredClusters(runId, records);
  // The ASL's Retry runs the lane again: only what failed now is read then.
  if (transient) throw transient;

  const roleOf = new Map(candidates.map((c) => [c.name, c.roleArn]));
  const all: LaneCluster[] = [...already, ...records].map((c) => ({ name: c.clusterName, status: c.status, wave: c.wave, expectedHops: c.expectedHops, roleArn: roleOf.get(c.clusterName) }));
  return { ...counted, ...(await closeLaneDiscovery(runId, event.lane, all, null, deps)) };
}
