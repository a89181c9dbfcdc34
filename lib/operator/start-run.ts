import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { JsonObject } from '../json.js';
import { executionConsoleUrl } from './execution-arn.js';

/** A started execution. */
export interface StartedRun {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  /** ISO 8601. */
  readonly startDate: string;
  readonly consoleUrl: string;
}

/**
 * Starts an execution of the fleet or cluster workflow (StartExecution). The input must have been checked
 * (checkExecutionInput) and the name derived from it (executionNameFor).
 *
 * @example
 * const run = await startRun(new SFNClient({}), { stateMachineArn, name: 'weekly-dev', input: checked.input });
 * console.log(run.executionArn, run.consoleUrl);
 */
export async function startRun(sfn: SFNClient, request: { readonly stateMachineArn: string; readonly name: string; readonly input: JsonObject }): Promise<StartedRun> {
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name: request.name, input: JSON.stringify(request.input) }));
  const executionArn = out.executionArn ?? '';
  return {
    executionArn,
    name: request.name,
    stateMachineArn: request.stateMachineArn,
    startDate: (out.startDate ?? new Date()).toISOString(),
    consoleUrl: executionConsoleUrl(executionArn),
  };
}
