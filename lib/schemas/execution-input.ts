import { z } from 'zod';
import { AccountId, accountOfArn, ClusterName, Region, RoleArn, TagKey, Tags } from '../fleet/names.js';
import { UpgradeOptions } from './upgrade-options.js';

/** The fleet's opt-out tag unless the input names another: clusters where it is "true" are SKIPPED. */
export const DEFAULT_SKIP_TAG = 'cni-fleet/skip';

const RunId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-80 letters, digits, "-" or "_" (a Step Functions execution name)');

/** A role assumed to reach an account yields credentials in the role's own account: both must name the same one. */
const roleInAccount = (target: { accountId?: string | undefined; roleArn?: string | undefined }, ctx: z.RefinementCtx): void => {
  if (target.accountId === undefined || target.roleArn === undefined) return;
  const roleAccount = accountOfArn(target.roleArn);
  if (roleAccount !== target.accountId)
    ctx.addIssue({ code: 'custom', path: ['roleArn'], message: `is a role in account ${String(roleAccount)}, not in accountId ${target.accountId}` });
};

/** One cluster to upgrade. `roleArn` is assumed (STS) to reach a cluster in another account. */
export const ClusterTarget = z
  .strictObject({
    name: ClusterName,
    region: Region,
    accountId: AccountId.optional(),
    roleArn: RoleArn.optional(),
  })
  .superRefine(roleInAccount);
export type ClusterTarget = z.infer<typeof ClusterTarget>;

/** What the cluster workflow accepts: from the console, the CLI, or the fleet workflow's child execution. */
export const ClusterExecutionInput = z.strictObject({
  runId: RunId.optional(),
  cluster: ClusterTarget,
  options: UpgradeOptions.default(UpgradeOptions.parse({})),
  trigger: z.enum(['console', 'cli', 'schedule', 'event', 'fleet', 'local']).default('console'),
  /** Set by Step Functions on child executions; accepted and ignored. */
  AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: z.string().optional(),
});
export type ClusterExecutionInput = z.infer<typeof ClusterExecutionInput>;

/** Discovery by region, tags and account (README, "Execution input"). */
export const ClusterSelector = z.strictObject({
  regions: z
    .array(Region)
    .min(1)
    .max(30)
    .superRefine((regions, ctx) => {
      regions.forEach((r, i) => {
        if (regions.indexOf(r) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `duplicates regions[${regions.indexOf(r)}] (${r})` });
      });
    }),
  /** Every tag must match (values exact). */
  tags: Tags.default({}),
  /** Other accounts to search, each through a role to assume; absent: this account only. */
  accounts: z
    .array(z.strictObject({ accountId: AccountId, roleArn: RoleArn }).superRefine(roleInAccount))
    .max(100)
    .optional(),
  /** Only names starting with this prefix: itself the start of an EKS ClusterName (facts §3). */
  namePrefix: ClusterName.optional(),
});
export type ClusterSelector = z.infer<typeof ClusterSelector>;

export const FleetExecutionInput = z
  .strictObject({
    runId: RunId.optional(),
    clusters: z.array(ClusterTarget).min(1).max(1000).optional(),
    selector: ClusterSelector.optional(),
    options: UpgradeOptions.default(UpgradeOptions.parse({})),
    /** Tag whose value orders waves: canary first, then by value; untagged clusters last. */
    waveTag: TagKey.default('cni-fleet/wave'),
    /** Clusters whose tag has the value "true" are skipped. */
    skipTag: TagKey.default(DEFAULT_SKIP_TAG),
    trigger: z.enum(['console', 'cli', 'schedule', 'event', 'local']).default('console'),
  })
  .refine((i) => Boolean(i.clusters) !== Boolean(i.selector), {
    message: 'give either "clusters" (explicit list) or "selector" (discovery), not both and not neither',
    path: ['clusters'],
  })
  .superRefine((input, ctx) => {
    // Two entries for one cluster would start two child executions that race for its lock.
    const seen = new Map<string, number>();
    input.clusters?.forEach((c, i) => {
      const key = `${c.accountId ?? accountOfArn(c.roleArn) ?? ''}/${c.region}/${c.name}`;
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicates clusters[${first}] (same account, region and name)` });
      else seen.set(key, i);
    });
  });
export type FleetExecutionInput = z.infer<typeof FleetExecutionInput>;
