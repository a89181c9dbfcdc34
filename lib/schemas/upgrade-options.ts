import { z } from 'zod';
import { isVersion } from '../versions/parse-version.js';
import { UPGRADE_DEFAULTS as D } from './upgrade-defaults.js';

/** `default`, `latest` or an exact EKS build (README, "Execution input"). */
export const TargetInput = z
  .string()
  .refine((t) => t === 'default' || t === 'latest' || (isVersion(t) && t.includes('-eksbuild.')), 'must be "default", "latest" or an EKS build such as v1.19.0-eksbuild.1');

/**
 * Options shared by the cluster and the fleet workflow. Every number has a bound so that an absurd value is an
 * input error, not a year-long execution.
 */
export const UpgradeOptions = z.strictObject({
  target: TargetInput.default(D.target),
  /** Record the plan and stop: nothing in the cluster changes. */
  dryRun: z.boolean().default(D.dryRun),
  /** Allow an exact target older than the installed version (still one minor per hop). */
  allowDowngrade: z.boolean().default(D.allowDowngrade),
  // PRESERVE keeps custom field edits across the update (seeds/000, "Updating the Amazon EKS add-on").
  resolveConflicts: z.enum(['PRESERVE', 'OVERWRITE', 'NONE']).default(D.resolveConflicts),
  /** Seconds between polls once the expected duration has passed. */
  pollIntervalSeconds: z.number().int().min(1).max(600).default(D.pollIntervalSeconds),
  /** First wait after an update starts, until the cluster's own last hop duration is known. */
  expectedHopSeconds: z.number().int().min(1).max(3600).default(D.expectedHopSeconds),
  /** A hop still InProgress after this long fails with HopTimeoutError (Terraform's default is 20 min: facts §peers). */
  hopTimeoutSeconds: z.number().int().min(60).max(86_400).default(D.hopTimeoutSeconds),
  /**
   * Fleet: lanes (account × Region) upgraded at once within a wave — the Distributed Map's MaxConcurrency. Step
   * Functions runs at most 10,000 child executions of one Map Run at once (docs/fleet-workflow.md).
   */
  lanesAtOnce: z.number().int().min(1).max(10_000).default(D.lanesAtOnce),
  /**
   * Fleet: clusters upgraded at once in one lane — the lane's inline Map, which Step Functions caps at 40. EKS
   * throttles per account and Region, so this is the number that meets its rate limits.
   */
  perLaneConcurrency: z.number().int().min(1).max(40).default(D.perLaneConcurrency),
  /** Replaced by lanesAtOnce × perLaneConcurrency: refused with a message that says so, not as an unknown key. */
  concurrency: z
    .never({ error: 'was replaced by lanesAtOnce (lanes at once) and perLaneConcurrency (clusters at once per lane); at most lanesAtOnce × perLaneConcurrency clusters run at once' })
    .optional(),
  /** Fleet: later waves do not start once this many clusters have FAILED. */
  failureThreshold: z.number().int().min(0).max(10_000).default(D.failureThreshold),
  /** Self-managed migration: go on although some settings cannot be carried over. */
  acceptUntranslatable: z.boolean().default(D.acceptUntranslatable),
  /**
   * What an unreachable or forbidden Kubernetes API means for the aws-node pre-flight and rollout gate
   * (docs/rollout-gate.md): `required` stops the cluster (BLOCKED before any change, FAILED after a hop) with the
   * access entry to create; `best-effort` records a warning and lets EKS's checks alone decide; `off` never reads.
   */
  kubernetesAccess: z.enum(['required', 'best-effort', 'off']).default(D.kubernetesAccess),
  /** Every aws-node container must have run this long without a restart before a hop counts as done; 0 skips the soak. */
  rolloutSoakSeconds: z.number().int().min(0).max(1800).default(D.rolloutSoakSeconds),
}).superRefine((options, context) => {
  // The gate judges a hop within its deadline: a soak that cannot fit in it would fail every hop.
  if (options.kubernetesAccess !== 'off' && options.rolloutSoakSeconds > 0 && options.rolloutSoakSeconds >= options.hopTimeoutSeconds)
    context.addIssue({
      code: 'custom',
      path: ['rolloutSoakSeconds'],
      message: `${options.rolloutSoakSeconds} must be less than hopTimeoutSeconds (${options.hopTimeoutSeconds}): the soak is judged within the hop's deadline`,
    });
});
export type UpgradeOptions = z.infer<typeof UpgradeOptions>;
export type UpgradeOptionsInput = z.input<typeof UpgradeOptions>;

/** All defaults, for callers that build options programmatically. */
export const defaultOptions = (): UpgradeOptions => UpgradeOptions.parse({});
