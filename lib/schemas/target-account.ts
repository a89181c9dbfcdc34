import { InputValidationError } from '../errors.js';
import { accountOfArn } from '../fleet/names.js';

/**
 * The deployment's own account and the role it assumes in each other account (the stage's crossAccountRoleArns,
 * keyed by the account each role belongs to): what decides how a cluster's account is reached.
 */
export interface HomeAccount {
  readonly accountId: string;
  /** Account id → the role to assume there, for clusters named without a roleArn. */
  readonly accountRoles?: Readonly<Record<string, string>> | undefined;
}

/** A cluster's account and the role that reaches it, once resolved. */
export interface ResolvedAccount {
  readonly accountId: string;
  readonly roleArn?: string;
}

/**
 * The account a cluster entry names and the role that reaches it: `accountId`, else the account of `roleArn`, else
 * the home account; the entry's `roleArn`, else the deployment's role for that account. A cluster outside the home
 * account that no role reaches is refused: without a role, the calls would run with the home account's credentials
 * and reach the home account's cluster of the same name instead.
 *
 * @param field the entry's path in the input, e.g. `cluster` or `clusters[3]`
 * @throws InputValidationError naming `<field>.roleArn`
 * @example
 * resolveTargetAccount({ accountId: '222233334444' }, { accountId: '111122223333', accountRoles: { '222233334444': 'arn:aws:iam::222233334444:role/cni-fleet-target' } }, 'cluster')
 * // { accountId: '222233334444', roleArn: 'arn:aws:iam::222233334444:role/cni-fleet-target' }
 */
export function resolveTargetAccount(
  target: { readonly accountId?: string | undefined; readonly roleArn?: string | undefined },
  home: HomeAccount,
  field: string,
): ResolvedAccount {
  const accountId = target.accountId ?? accountOfArn(target.roleArn) ?? home.accountId;
  const roleArn = target.roleArn ?? (accountId === home.accountId ? undefined : home.accountRoles?.[accountId]);
  if (accountId !== home.accountId && roleArn === undefined)
    throw new InputValidationError(
      `${field}.roleArn`,
      `is required for a cluster in account ${accountId}, outside this deployment's account ${home.accountId}: give the role to assume there, or add one of that account to the stage's crossAccountRoleArns`,
    );
  return roleArn === undefined ? { accountId } : { accountId, roleArn };
}

/**
 * The account → role map of a list of role ARNs (the stage's crossAccountRoleArns): one role per account, since a
 * cluster named by account alone must reach exactly one role.
 *
 * @throws InputValidationError naming `field` when two roles belong to one account
 * @example
 * accountRolesOf(['arn:aws:iam::222233334444:role/cni-fleet-target'], 'CNI_FLEET_TARGET_ROLE_ARNS') // { '222233334444': 'arn:aws:iam::222233334444:role/cni-fleet-target' }
 */
export function accountRolesOf(roleArns: readonly string[], field: string): Record<string, string> {
  const roles: Record<string, string> = {};
  roleArns.forEach((arn, i) => {
    const account = accountOfArn(arn);
    if (account === undefined) throw new InputValidationError(`${field}[${i}]`, `"${arn}" names no account`);
    const first = roles[account];
    if (first !== undefined) throw new InputValidationError(`${field}[${i}]`, `is a second role in account ${account} (after ${first}); give one role per account`);
    roles[account] = arn;
  });
  return roles;
}
