import { z } from 'zod';
import { parseOrThrow } from './validation/parse-or-throw.js';
import { RoleArn } from './fleet/names.js';
import { accountRolesOf } from './schemas/target-account.js';

/** Everything a deployed function reads from its environment (serverless.yml sets it). The only process.env reader. */
export interface Config {
  readonly tableName: string;
  /** The deployment's own account: the cluster key of clusters named without accountId or roleArn. */
  readonly accountId: string;
  /**
   * The role assumed in each other account (the stage's crossAccountRoleArns, by the account each belongs to), for
   * clusters named by accountId without a roleArn.
   */
  readonly accountRoles: Readonly<Record<string, string>>;
  readonly region: string;
  /** Local runs and tests point the SDKs at local servers; absent in AWS. */
  readonly eksEndpoint: string | undefined;
  readonly dynamoEndpoint: string | undefined;
  readonly cloudWatchEndpoint: string | undefined;
  readonly eventsEndpoint: string | undefined;
  readonly retentionDays: number;
  /** The stage (`--stage` of the deploy): named in notices so operators know which `cni-fleet … --stage` to run. */
  readonly stage: string | undefined;
}

const Env = z.object({
  TABLE_NAME: z.string().min(3).max(255),
  CNI_FLEET_ACCOUNT_ID: z.string().regex(/^\d{12}$/),
  // A CloudFormation CommaDelimitedList joined with ","; empty when the stage assumes no role.
  CNI_FLEET_TARGET_ROLE_ARNS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((arn) => arn.trim()).filter((arn) => arn !== ''))
    .pipe(z.array(RoleArn)),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL_EKS: z.string().url().optional(),
  AWS_ENDPOINT_URL_DYNAMODB: z.string().url().optional(),
  AWS_ENDPOINT_URL_CLOUDWATCH: z.string().url().optional(),
  AWS_ENDPOINT_URL_EVENTBRIDGE: z.string().url().optional(),
  CNI_FLEET_STAGE: z.string().min(1).max(64).optional(),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(400),
});

/**
 * Reads the function configuration from environment variables.
 *
 * @example
 * readConfig(process.env) // { tableName: 'cni-fleet-prod-progress', accountId: '111122223333', ... }
 */
export function readConfig(env: Record<string, string | undefined>): Config {
  const e = parseOrThrow(Env, env, 'env');
  return {
    tableName: e.TABLE_NAME,
    accountId: e.CNI_FLEET_ACCOUNT_ID,
    accountRoles: accountRolesOf(e.CNI_FLEET_TARGET_ROLE_ARNS, 'env.CNI_FLEET_TARGET_ROLE_ARNS'),
    region: e.AWS_REGION,
    eksEndpoint: e.AWS_ENDPOINT_URL_EKS,
    dynamoEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB,
    cloudWatchEndpoint: e.AWS_ENDPOINT_URL_CLOUDWATCH,
    eventsEndpoint: e.AWS_ENDPOINT_URL_EVENTBRIDGE,
    retentionDays: e.RETENTION_DAYS,
    stage: e.CNI_FLEET_STAGE,
  };
}
