import { randomBytes } from 'node:crypto';
import { InputValidationError } from '../errors.js';
import { ClusterExecutionInput, FleetExecutionInput } from '../schemas/execution-input.js';
import { parseOrThrow } from '../validation/parse-or-throw.js';
import type { JsonObject } from '../json.js';
import type { Machine } from './stack-outputs.js';
import type { HomeAccount } from '../schemas/target-account.js';
import { resolveTargetAccount } from '../schemas/target-account.js';

/** An execution input read from a file and validated for its workflow, ready for StartExecution. */
export interface CheckedExecutionInput {
  readonly machine: Machine;
  /**
   * The file's JSON as written (the workflow fills defaults itself, so what the run records is what the operator
   * wrote), plus `trigger: "cli"` when the file names no trigger.
   */
  readonly input: JsonObject;
  /** The input's `runId`, when it has one. */
  readonly runId: string | undefined;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses and validates an execution input file with the same zod schema ValidateInput / ValidateFleetInput use,
 * so a bad file is refused on the operator's machine before any AWS call. Without `machine`, an input with a
 * `cluster` member is a cluster execution, any other a fleet execution.
 *
 * @throws InputValidationError naming the field (e.g. `clusters[1].region`), or `--input` when the file is not a JSON object
 * @example
 * checkExecutionInput('{"cluster":{"name":"prod","region":"eu-west-1"}}', 'one.json').machine // 'cluster'
 */
export function checkExecutionInput(text: string, file: string, machine?: Machine): CheckedExecutionInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputValidationError('--input', `${file} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(value)) throw new InputValidationError('--input', `${file} must hold a JSON object (an execution input)`);
  const chosen: Machine = machine ?? ('cluster' in value ? 'cluster' : 'fleet');
  try {
    if (chosen === 'cluster') parseOrThrow(ClusterExecutionInput, value);
    else parseOrThrow(FleetExecutionInput, value);
  } catch (error) {
    if (error instanceof InputValidationError) {
      throw new InputValidationError(error.field, `${error.problem} (${chosen} execution input ${file})`, { cause: error });
    }
    throw error;
  }
  const runId = typeof value['runId'] === 'string' ? value['runId'] : undefined;
  return { machine: chosen, input: { ...value, trigger: value['trigger'] ?? 'cli' }, runId };
}

/**
 * Checks that every cluster the input names is reachable from the deployment `home` describes (its account and the
 * stage's roles): a cluster in another account needs a role, its own or the stage's for that account, exactly as
 * ValidateInput / ValidateFleetInput require. For `start`, which knows the deployment from the stage's stack.
 *
 * @throws InputValidationError naming `cluster.roleArn` or `clusters[i].roleArn`
 * @example
 * checkTargetAccounts(checked, 'one.json', { accountId: '111122223333', accountRoles: {} })
 */
export function checkTargetAccounts(checked: CheckedExecutionInput, file: string, home: HomeAccount): void {
  type Target = { accountId?: string; roleArn?: string };
  const entries: [Target, string][] =
    checked.machine === 'cluster'
      ? [[checked.input['cluster'] as Target, 'cluster']]
      : ((checked.input['clusters'] as Target[] | undefined) ?? []).map((c, i): [Target, string] => [c, `clusters[${i}]`]);
  for (const [target, field] of entries) {
    try {
      resolveTargetAccount(target, home, field);
    } catch (error) {
      if (error instanceof InputValidationError) throw new InputValidationError(error.field, `${error.problem} (${checked.machine} execution input ${file})`, { cause: error });
      throw error;
    }
  }
}

// Step Functions execution names (≤ 80) restricted to what the workflows accept as a run id (lib/schemas/execution-input.ts).
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The execution name. The workflows take `runId = input.runId ?? $$.Execution.Name`
 * (lib/steps/validate-input.ts, validate-fleet-input.ts), so naming the execution after the runId makes the
 * progress table's run id and the execution name one and the same, whichever of the two `status` starts from.
 *
 * @throws InputValidationError naming `--name` when it is not a valid name or contradicts the input's runId
 * @example
 * executionNameFor({ runId: 'weekly-dev' }) // 'weekly-dev'
 * executionNameFor({}, new Date('2026-11-22T03:00:00Z')) // 'cli-20261122T030000Z-3f9a1c'
 */
export function executionNameFor(request: { readonly runId?: string | undefined; readonly name?: string | undefined }, now: Date = new Date()): string {
  const { runId, name } = request;
  if (name !== undefined && !EXECUTION_NAME.test(name)) throw new InputValidationError('--name', `"${name}" must be 1-80 letters, digits, "-" or "_"`);
  if (runId !== undefined && name !== undefined && runId !== name) {
    throw new InputValidationError('--name', `"${name}" differs from the input's runId "${runId}"; the execution is named after the runId, so drop one of them`);
  }
  if (runId !== undefined) return runId;
  if (name !== undefined) return name;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return `cli-${stamp}-${randomBytes(3).toString('hex')}`;
}
