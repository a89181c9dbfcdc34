import { z } from 'zod';
import { RollbackRequest } from './rollback-request.js';
import { AccountId, accountOfArn, ClusterName, Region, RoleArn, TagKey, Tags } from '../fleet/names.js';
import { UpgradeOptions } from './upgrade-options.js';
import { LIST_PART_SIZE, MAX_LANES } from '../fleet/lanes.js';
import { ADDON_NAMES, DEFAULT_ADDON } from '../addon-spec.js';

/** The explicit list's cap: what the benchmark rehearses (docs/fleet-workflow.md, "Fleet-size limits"). */
export const MAX_LISTED_CLUSTERS = 10_000;
/** Accounts a selector may search; with 10 Regions each, 1,000 lanes. */
export const MAX_SELECTOR_ACCOUNTS = 1_000;

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

/**
 * The EKS add-on to upgrade (docs/workflow.md#the-add-on): one of the add-ons cni-fleet has a spec for. The workflows
 * carry the name; the steps resolve it to the spec.
 */
export const AddonInput = z
  .enum(ADDON_NAMES, { error: `must be ${ADDON_NAMES.map((n) => `"${n}"`).join(' or ')}: the add-ons cni-fleet upgrades` })
  .default(DEFAULT_ADDON);

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
  addon: AddonInput,
  options: UpgradeOptions.default(UpgradeOptions.parse({})),
  trigger: z.enum(['console', 'cli', 'schedule', 'event', 'fleet', 'local']).default('console'),
  /** Roll the cluster's last hop back instead of upgrading it (`cni-fleet rollback`; options.target is not used). */
  rollback: RollbackRequest.optional(),
  /** Set by Step Functions on child executions; accepted and ignored. */
  AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID: z.string().optional(),
});
export type ClusterExecutionInput = z.infer<typeof ClusterExecutionInput>;

/** Discovery by region, tags and account (docs/workflow.md#execution-input). */
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
    .max(MAX_SELECTOR_ACCOUNTS)
    .optional(),
  /**
   * Only names starting with this prefix: itself the start of an EKS ClusterName
   * (docs/eks-behaviour.md#names-and-lengths).
   */
  namePrefix: ClusterName.optional(),
});
export type ClusterSelector = z.infer<typeof ClusterSelector>;

/**
 * A list stored in the progress table under the run id (`cni-fleet start` does it for a list too big for the
 * 256 KiB execution input): how many parts and clusters it has, so a partial list is refused.
 */
export const ClustersRef = z.strictObject({
  parts: z.number().int().min(1).max(Math.ceil(MAX_LISTED_CLUSTERS / LIST_PART_SIZE)),
  count: z.number().int().min(1).max(MAX_LISTED_CLUSTERS),
});
export type ClustersRef = z.infer<typeof ClustersRef>;

export const FleetExecutionInput = z
  .strictObject({
    runId: RunId.optional(),
    clusters: z.array(ClusterTarget).min(1).max(MAX_LISTED_CLUSTERS).optional(),
    /** The explicit list, stored under `runId` in the progress table (docs/workflow.md#execution-input). */
    clustersRef: ClustersRef.optional(),
    selector: ClusterSelector.optional(),
    addon: AddonInput,
    options: UpgradeOptions.default(UpgradeOptions.parse({})),
    /** Tag whose value orders waves: canary first, then by value; untagged clusters last. */
    waveTag: TagKey.default('cni-fleet/wave'),
    /** Clusters whose tag has the value "true" are skipped. */
    skipTag: TagKey.default(DEFAULT_SKIP_TAG),
    trigger: z.enum(['console', 'cli', 'schedule', 'event', 'local']).default('console'),
  })
  .refine((i) => [i.clusters, i.clustersRef, i.selector].filter(Boolean).length === 1, {
    message: 'give exactly one of "clusters" (explicit list), "clustersRef" (a stored list) or "selector" (discovery)',
    path: ['clusters'],
  })
  .refine((i) => !i.clustersRef || i.runId !== undefined, { message: 'a stored list is found by the run id: give "runId"', path: ['runId'] })
  .refine((i) => !i.selector || (i.selector.accounts?.length ?? 1) * i.selector.regions.length <= MAX_LANES, {
    message: `spans more than ${MAX_LANES.toLocaleString('en-US')} lanes (accounts × regions): split the fleet into several runs`,
    path: ['selector', 'accounts'],
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
