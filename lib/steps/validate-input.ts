import { ClusterExecutionInput } from '../schemas/execution-input.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import type { ClusterState } from '../workflow/state.js';
import { clusterKey } from '../workflow/state.js';
import type { HomeAccount } from '../schemas/target-account.js';
import { resolveTargetAccount } from '../schemas/target-account.js';

export interface ValidateInputEvent {
  readonly input: unknown;
  readonly executionId: string;
  readonly executionName: string;
}


/**
 * ValidateInput: checks a cluster execution's input before anything else runs — no lock, no EKS call — and
 * returns the normalized workflow state. Every problem names its field (e.g. `cluster.name`). A cluster outside the
 * home account is reached through its role (the input's, or the deployment's for that account) or refused here.
 *
 * @throws InputValidationError naming the field (`cluster.roleArn` for another account that no role reaches)
 * @example
 * validateInput({ input: { cluster: { name: 'c1', region: 'us-east-1' } }, executionId, executionName: 'run-1' }, { accountId: '111122223333' })
 */
export function validateInput(event: ValidateInputEvent, home: HomeAccount): Omit<ClusterState, 'snapshot' | 'plan' | 'hop' | 'failure'> {
  const input = parseOrThrow(ClusterExecutionInput, event.input);
  const cluster = { name: input.cluster.name, region: input.cluster.region, ...resolveTargetAccount(input.cluster, home, 'cluster') };
  return {
    runId: input.runId ?? event.executionName,
    executionId: event.executionId,
    trigger: input.trigger,
    cluster: { ...cluster, key: clusterKey(cluster) },
    addon: input.addon,
    options: input.options,
    ...(input.rollback ? { rollback: input.rollback } : {}),
  };
}
