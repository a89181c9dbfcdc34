import { ClusterExecutionInput } from '../schemas/execution-input.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import type { ClusterState } from '../workflow/state.js';
import { clusterKey } from '../workflow/state.js';
import { accountOfArn } from '../fleet/names.js';

export interface ValidateInputEvent {
  readonly input: unknown;
  readonly executionId: string;
  readonly executionName: string;
}


/**
 * ValidateInput: checks a cluster execution's input before anything else runs — no lock, no EKS call — and
 * returns the normalized workflow state. Every problem names its field (e.g. `cluster.name`).
 *
 * @throws InputValidationError naming the field
 * @example
 * validateInput({ input: { cluster: { name: 'c1', region: 'us-east-1' } }, executionId, executionName: 'run-1' }, '111122223333')
 */
export function validateInput(event: ValidateInputEvent, ownAccountId: string): Omit<ClusterState, 'snapshot' | 'plan' | 'hop' | 'failure'> {
  const input = parseOrThrow(ClusterExecutionInput, event.input);
  const accountId = input.cluster.accountId ?? accountOfArn(input.cluster.roleArn) ?? ownAccountId;
  const cluster = { name: input.cluster.name, region: input.cluster.region, accountId, ...(input.cluster.roleArn ? { roleArn: input.cluster.roleArn } : {}) };
  return {
    runId: input.runId ?? event.executionName,
    executionId: event.executionId,
    trigger: input.trigger,
    cluster: { ...cluster, key: clusterKey(cluster) },
    options: input.options,
  };
}
