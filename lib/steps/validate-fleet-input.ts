import { FleetExecutionInput } from '../schemas/execution-input.js';
import type { UpgradeOptions } from '../schemas/upgrade-options.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';

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
  readonly options: UpgradeOptions;
  readonly waveTag: string;
  readonly skipTag: string;
  /** The selector's filters, for every lane's discovery; {} for a list. */
  readonly filter: { readonly tags: Record<string, string>; readonly namePrefix?: string | undefined };
}

/**
 * ValidateFleetInput: checks a fleet execution's input before any EKS call; every problem names its field
 * (`clusters[2].region`, `options.lanesAtOnce`, …).
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
    options: input.options,
    waveTag: input.waveTag,
    skipTag: input.skipTag,
    filter: { tags: input.selector?.tags ?? {}, ...(input.selector?.namePrefix ? { namePrefix: input.selector.namePrefix } : {}) },
  };
}
