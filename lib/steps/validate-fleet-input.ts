import { FleetExecutionInput } from '../schemas/execution-input.js';
import type { ClusterSelector, ClusterTarget } from '../schemas/execution-input.js';
import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import { InputValidationError } from '../errors.js';
import { clusterKey } from '../workflow/state.js';
import type { HomeAccount } from '../schemas/target-account.js';
import { resolveTargetAccount } from '../schemas/target-account.js';

export interface ValidateFleetInputEvent {
  readonly input: unknown;
  readonly executionId: string;
  readonly executionName: string;
  readonly startedAt?: string;
}

/** The fleet workflow's state after ValidateFleetInput. */
export interface FleetState {
  readonly runId: string;
  readonly executionId: string;
  readonly trigger: string;
  readonly clusters?: ClusterTarget[] | undefined;
  readonly selector?: ClusterSelector | undefined;
  readonly options: UpgradeOptions;
  readonly waveTag: string;
  readonly skipTag: string;
}

/**
 * ValidateFleetInput: checks a fleet execution's input before any EKS call; every problem names its field
 * (`clusters[2].region`, `options.concurrency`, …). Each listed cluster leaves with its account and the role that
 * reaches it (its own, or the deployment's for that account); one outside the home account that no role reaches is
 * refused here, before any cluster is read.
 *
 * @throws InputValidationError naming the field (`clusters[2].roleArn` for another account that no role reaches)
 * @example
 * validateFleetInput({ input: { selector: { regions: ['us-east-1'], tags: { env: 'dev' } } }, executionId, executionName: 'weekly-dev' }, { accountId: '111122223333' })
 */
export function validateFleetInput(event: ValidateFleetInputEvent, home: HomeAccount): FleetState {
  const input = parseOrThrow(FleetExecutionInput, event.input);
  const clusters = input.clusters?.map((c, i) => ({ ...c, ...resolveTargetAccount(c, home, `clusters[${i}]`) }));
  // The schema compares the accounts as written; an entry without accountId and one naming the home account are
  // the same cluster too, and two child executions for one cluster would race for its lock.
  const seen = new Map<string, number>();
  clusters?.forEach((c, i) => {
    const key = clusterKey({ accountId: c.accountId, region: c.region, name: c.name });
    const first = seen.get(key);
    if (first !== undefined) throw new InputValidationError(`clusters[${i}].name`, `duplicates clusters[${first}] (same account, region and name: ${key})`);
    seen.set(key, i);
  });
  return {
    runId: input.runId ?? event.executionName,
    executionId: event.executionId,
    trigger: input.trigger,
    clusters,
    selector: input.selector,
    options: input.options,
    waveTag: input.waveTag,
    skipTag: input.skipTag,
  };
}
