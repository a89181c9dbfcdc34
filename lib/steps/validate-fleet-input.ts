import { FleetExecutionInput } from '../schemas/execution-input.js';
import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import type { AddonName } from '../addon-spec.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import { InputValidationError } from '../errors.js';
import type { ListedCluster } from '../fleet/lanes.js';
import { clusterKey } from '../workflow/state.js';
import type { HomeAccount } from '../schemas/target-account.js';
import { resolveTargetAccount } from '../schemas/target-account.js';

export interface ValidateFleetInputEvent {
  readonly input: unknown;
  readonly executionId: string;
  readonly executionName: string;
  readonly startedAt?: string;
}

/**
 * The fleet workflow's state after ValidateFleetInput: small whatever the fleet's size. The list or selector
 * stays in the execution input, which PlanLanes reads from the context object and turns into lane records.
 */
export interface FleetState {
  readonly runId: string;
  readonly executionId: string;
  readonly trigger: string;
  /** The add-on's name: the discovery lanes and every child execution take it from here. */
  readonly addon: AddonName;
  readonly options: UpgradeOptions;
  readonly waveTag: string;
  readonly skipTag: string;
  /** The selector's filters, for every lane's discovery; {} for a list. */
  readonly filter: { readonly tags: Record<string, string>; readonly namePrefix?: string | undefined };
}

/**
 * Each listed cluster with its account and the role that reaches it (its own, or the deployment's for that
 * account). One outside the home account that no role reaches is refused, and so is a second entry for one cluster
 * (an entry without accountId and one naming the home account are the same cluster): two child executions for one
 * cluster would race for its lock.
 *
 * @throws InputValidationError naming `clusters[i].roleArn` or `clusters[i].name`
 * @example
 * resolveListedClusters([{ name: 'a', region: 'us-east-1' }], { accountId: '111122223333' }) // [{ name: 'a', region: 'us-east-1', accountId: '111122223333' }]
 */
export function resolveListedClusters(clusters: readonly ListedCluster[], home: HomeAccount): (ListedCluster & { accountId: string })[] {
  const resolved = clusters.map((c, i) => ({ ...c, ...resolveTargetAccount(c, home, `clusters[${i}]`) }));
  const seen = new Map<string, number>();
  resolved.forEach((c, i) => {
    const key = clusterKey({ accountId: c.accountId, region: c.region, name: c.name });
    const first = seen.get(key);
    if (first !== undefined) throw new InputValidationError(`clusters[${i}].name`, `duplicates clusters[${first}] (same account, region and name: ${key})`);
    seen.set(key, i);
  });
  return resolved;
}

/**
 * ValidateFleetInput: checks a fleet execution's input before any EKS call; every problem names its field
 * (`clusters[2].region`, `options.lanesAtOnce`, …). A listed cluster outside the home account that no role
 * reaches is refused here, before any cluster is read (a stored list: in PlanLanes, before anything is written).
 *
 * @throws InputValidationError naming the field (`clusters[2].roleArn` for another account that no role reaches)
 * @example
 * validateFleetInput({ input: { selector: { regions: ['us-east-1'], tags: { env: 'dev' } } }, executionId, executionName: 'weekly-dev' }, { accountId: '111122223333' })
 */
export function validateFleetInput(event: ValidateFleetInputEvent, home: HomeAccount): FleetState {
  const input = parseOrThrow(FleetExecutionInput, event.input);
  if (input.clusters) resolveListedClusters(input.clusters, home);
  return {
    runId: input.runId ?? event.executionName,
    executionId: event.executionId,
    trigger: input.trigger,
    addon: input.addon,
    options: input.options,
    waveTag: input.waveTag,
    skipTag: input.skipTag,
    filter: { tags: input.selector?.tags ?? {}, ...(input.selector?.namePrefix ? { namePrefix: input.selector.namePrefix } : {}) },
  };
}
