import { z } from 'zod';
import { AccountId, ClusterName, Region, RoleArn, Tags } from '../fleet/names.js';
import { UpgradeOptions } from './upgrade-options.js';

const RunId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-80 letters, digits, "-" or "_" (a Step Functions execution name)');

/** One cluster to upgrade. `roleArn` is assumed (STS) to reach a cluster in another account. */
export const ClusterTarget = z.strictObject({
  name: ClusterName,
  region: Region,
  accountId: AccountId.optional(),
  roleArn: RoleArn.optional(),
});
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
  regions: z.array(Region).min(1).max(30),
  /** Every tag must match (values exact). */
  tags: Tags.default({}),
  /** Other accounts to search, each through a role to assume; absent: this account only. */
  accounts: z
    .array(z.strictObject({ accountId: AccountId, roleArn: RoleArn }))
    .max(100)
    .optional(),
  /** Only names starting with this prefix. */
  namePrefix: z.string().max(100).optional(),
});
export type ClusterSelector = z.infer<typeof ClusterSelector>;

export const FleetExecutionInput = z
  .strictObject({
    runId: RunId.optional(),
    clusters: z.array(ClusterTarget).min(1).max(1000).optional(),
    selector: ClusterSelector.optional(),
    options: UpgradeOptions.default(UpgradeOptions.parse({})),
    /** Tag whose value orders waves: canary first, then by value; untagged clusters last. */
    waveTag: z.string().min(1).max(128).default('cni-fleet/wave'),
    /** Clusters whose tag has the value "true" are skipped. */
    skipTag: z.string().min(1).max(128).default('cni-fleet/skip'),
    trigger: z.enum(['console', 'cli', 'schedule', 'event', 'local']).default('console'),
  })
  .refine((i) => Boolean(i.clusters) !== Boolean(i.selector), {
    message: 'give either "clusters" (explicit list) or "selector" (discovery), not both and not neither',
    path: ['clusters'],
  });
export type FleetExecutionInput = z.infer<typeof FleetExecutionInput>;
