import { InputValidationError } from '../errors.js';

/** The parts of a Standard workflow execution ARN. */
export interface ExecutionArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stateMachineName: string;
  readonly executionName: string;
}

// arn:<partition>:states:<region>:<account>:execution:<stateMachine>:<name> (Step Functions ARN format).
const EXECUTION_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;

/**
 * Splits an execution ARN, so a command can default its Region to the execution's own.
 *
 * @throws InputValidationError naming `field` when the text is not a Step Functions execution ARN
 * @example
 * parseExecutionArn('arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-upgrade-fleet:weekly-1').region // 'eu-west-1'
 */
export function parseExecutionArn(arn: string, field = 'EXECUTION_ARN'): ExecutionArnParts {
  const match = EXECUTION_ARN.exec(arn);
  if (!match) throw new InputValidationError(field, `"${arn}" is not a Step Functions execution ARN (arn:aws:states:REGION:ACCOUNT:execution:STATE_MACHINE:NAME)`);
  const [, partition = '', region = '', accountId = '', stateMachineName = '', executionName = ''] = match;
  return { partition, region, accountId, stateMachineName, executionName };
}

const CONSOLE_HOST: Readonly<Record<string, string>> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/**
 * The Step Functions console page of an execution (graph, events, input and output).
 *
 * @example
 * executionConsoleUrl('arn:aws:states:eu-west-1:111122223333:execution:sm:run-1')
 * // 'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:…'
 */
export function executionConsoleUrl(executionArn: string): string {
  const { partition, region } = parseExecutionArn(executionArn);
  const host = CONSOLE_HOST[partition] ?? CONSOLE_HOST['aws'];
  return `https://${region}.${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/**
 * The ARN an execution named `name` of a state machine has (Step Functions builds it so).
 *
 * @example
 * executionArnOf('arn:aws:states:eu-west-1:111122223333:stateMachine:cni-fleet-prod-upgrade-fleet', 'weekly-1')
 * // 'arn:aws:states:eu-west-1:111122223333:execution:cni-fleet-prod-upgrade-fleet:weekly-1'
 */
export const executionArnOf = (stateMachineArn: string, name: string): string => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** True when the text is shaped as an execution ARN (`arn:…:states:…:execution:…`), not a run id. */
export const looksLikeExecutionArn = (text: string): boolean => text.startsWith('arn:') && text.includes(':execution:');
