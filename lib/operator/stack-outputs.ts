import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InputValidationError } from '../errors.js';
import { StackNotFoundError, StackOutputMissingError } from './operator-errors.js';
import { accountOfArn } from '../fleet/names.js';
import type { HomeAccount } from '../schemas/target-account.js';
import { accountRolesOf } from '../schemas/target-account.js';

/** The service name in serverless.yml; the stack of stage S is `cni-fleet-S` (the Serverless Framework's naming). */
const SERVICE_NAME = 'cni-fleet';

/** The CloudFormation Outputs of the deployed stack that the CLI reads (the contract with serverless.yml). */
export const StackOutput = {
  FLEET_STATE_MACHINE: 'UpgradeFleetStateMachineArn',
  CLUSTER_STATE_MACHINE: 'UpgradeClusterStateMachineArn',
  PROGRESS_TABLE: 'ProgressTableName',
} as const;
export type StackOutput = (typeof StackOutput)[keyof typeof StackOutput];

/** Which workflow an execution runs. */
export type Machine = 'fleet' | 'cluster';

/** The output holding each machine's ARN. */
export const MACHINE_OUTPUT: Readonly<Record<Machine, StackOutput>> = {
  fleet: StackOutput.FLEET_STATE_MACHINE,
  cluster: StackOutput.CLUSTER_STATE_MACHINE,
};

// The Serverless Framework's stage: it becomes part of the stack name (1-128 of [A-Za-z0-9-], starting with a letter).
const STAGE = /^[A-Za-z][A-Za-z0-9-]{0,100}$/;

/**
 * The stack name of a stage.
 *
 * @throws InputValidationError naming `--stage` when the stage cannot be part of a stack name
 * @example
 * stackNameFor('prod') // 'cni-fleet-prod'
 */
export function stackNameFor(stage: string): string {
  if (!STAGE.test(stage)) throw new InputValidationError('--stage', `"${stage}" must start with a letter and contain only letters, digits and "-"`);
  return `${SERVICE_NAME}-${stage}`;
}

/** A deployed stack's outputs, by key. */
export interface StackOutputs {
  readonly stackName: string;
  readonly stackStatus: string;
  readonly outputs: Readonly<Record<string, string>>;
  /** The stack's parameters (e.g. `CrossAccountRoleArns`), by key. */
  readonly parameters: Readonly<Record<string, string>>;
  /** The value of `key`, or StackOutputMissingError. */
  require(key: StackOutput): string;
}

/**
 * Reads the outputs of the stage's stack with DescribeStacks.
 *
 * @throws StackNotFoundError when there is no such stack in the client's account and Region
 * @example
 * const stack = await readStackOutputs(new CloudFormationClient({ region: 'eu-west-1' }), 'prod');
 * stack.require('UpgradeFleetStateMachineArn') // 'arn:aws:states:eu-west-1:…:stateMachine:…'
 */
export async function readStackOutputs(cfn: CloudFormationClient, stage: string): Promise<StackOutputs> {
  const stackName = stackNameFor(stage);
  let stack;
  try {
    [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (error) {
    // CloudFormation answers a missing stack with a plain ValidationError whose message says so.
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      throw new StackNotFoundError(stackName, await cfn.config.region(), { cause: error });
    }
    throw error;
  }
  if (stack === undefined) throw new StackNotFoundError(stackName, await cfn.config.region());
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  const parameters: Record<string, string> = {};
  for (const p of stack.Parameters ?? []) if (p.ParameterKey && p.ParameterValue !== undefined) parameters[p.ParameterKey] = p.ParameterValue;
  const stackStatus = stack.StackStatus ?? 'UNKNOWN';
  return {
    stackName,
    stackStatus,
    outputs,
    parameters,
    require(key) {
      const value = outputs[key];
      if (value === undefined || value === '') throw new StackOutputMissingError(stackName, key, stackStatus);
      return value;
    },
  };
}

/**
 * The deployment a stage's stack stands for: the account its state machines run in, and the role it may assume in
 * each other account (the stack parameter CrossAccountRoleArns, which serverless.yml hands the functions too).
 *
 * @example
 * deploymentOf('arn:aws:states:eu-west-1:111122223333:stateMachine:cni-fleet-prod-upgrade-fleet', stack) // { accountId: '111122223333', accountRoles: { … } }
 */
export function deploymentOf(stateMachineArn: string, stack: Pick<StackOutputs, 'parameters'>): HomeAccount {
  const accountId = accountOfArn(stateMachineArn);
  if (accountId === undefined) throw new InputValidationError('--state-machine-arn', `"${stateMachineArn}" names no account`);
  const roles = (stack.parameters['CrossAccountRoleArns'] ?? '').split(',').map((arn) => arn.trim()).filter((arn) => arn !== '');
  return { accountId, accountRoles: accountRolesOf(roles, 'CrossAccountRoleArns') };
}
