import { FleetExecutionInput } from '../schemas/execution-input.js';
import type { ClusterSelector, ClusterTarget } from '../schemas/execution-input.js';
import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';

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
 * (`clusters[2].region`, `options.concurrency`, …).
 *
 * @throws InputValidationError naming the field
 * @example
 * validateFleetInput({ input: { selector: { regions: ['us-east-1'], tags: { env: 'dev' } } }, executionId, executionName: 'weekly-dev' })
 */
export function validateFleetInput(event: ValidateFleetInputEvent): FleetState {
  const input = parseOrThrow(FleetExecutionInput, event.input);
  return {
    runId: input.runId ?? event.executionName,
    executionId: event.executionId,
    trigger: input.trigger,
    clusters: input.clusters,
    selector: input.selector,
    options: input.options,
    waveTag: input.waveTag,
    skipTag: input.skipTag,
  };
}
