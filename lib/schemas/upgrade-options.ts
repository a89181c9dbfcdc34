import { z } from 'zod';
import { isVersion } from '../versions/parse-version.js';
import { Region, TagKey } from '../fleet/names.js';
import { CONTROL_DEFAULTS as C, UPGRADE_DEFAULTS as D } from './upgrade-defaults.js';

/** `default`, `latest` or an exact EKS build (docs/workflow.md#execution-input). */
export const TargetInput = z
  .string()
  .refine((t) => t === 'default' || t === 'latest' || (isVersion(t) && t.includes('-eksbuild.')), 'must be "default", "latest" or an EKS build such as v1.19.0-eksbuild.1');

/** Thirty days: the longest bake, approval wait or hold a run may ask for (a Standard execution lasts up to a year). */
const MAX_CONTROL_SECONDS = 2_592_000;
/** Seven days: the longest a cluster waits for its maintenance window or a paused run before it is deferred. */
const MAX_HOLD_SECONDS = 604_800;

/**
 * A wave's name as the wave tag gives it (`canary`, `1`, …); `untagged` names the wave of clusters without the tag.
 * Tag values allow what tag keys allow, and may be empty only through `untagged`.
 */
const WaveName = z.string().min(1).max(256).regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, 'must be a wave tag value such as canary or 2, or untagged');

/** Per-wave controls, by wave name: they replace the run's own for that wave. */
export const WaveControls = z.strictObject({
  /** Seconds to wait after this wave ends before the next starts (replaces the run's `bakeSeconds`). */
  bakeSeconds: z.number().int().min(0).max(MAX_CONTROL_SECONDS).optional(),
  /** An operator approves this wave before it starts (or not, overriding `approval.everyWave`). */
  approval: z.boolean().optional(),
});
export type WaveControls = z.infer<typeof WaveControls>;

/** Approval gates before waves (docs/operating-a-run.md, "Approval"). */
export const ApprovalOptions = z.strictObject({
  /** Every wave but the first waits for an approval (a wave's own `approval` overrides it). */
  everyWave: z.boolean().default(false),
  /** An approval left unanswered this long ends the run: the remaining waves are halted with the reason recorded. */
  timeoutSeconds: z.number().int().min(60).max(MAX_CONTROL_SECONDS).default(C.approvalTimeoutSeconds),
});
export type ApprovalOptions = z.infer<typeof ApprovalOptions>;

/** A CloudWatch alarm name: 1–255 characters, no control characters (PutMetricAlarm's AlarmName). */
const AlarmName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => [...name].every((ch) => ch.charCodeAt(0) >= 0x20 && ch !== '\u007f'), 'must not contain control characters');

/** The run's CloudWatch alarms (docs/operating-a-run.md, "Alarms"). */
export const AlarmOptions = z.strictObject({
  /** Metric alarms of the deployment's account; while any is in ALARM no new cluster starts. */
  names: z
    .array(AlarmName)
    .min(1)
    .max(10)
    .superRefine((names, ctx) => {
      names.forEach((n, i) => {
        if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `duplicates names[${names.indexOf(n)}] (${n})` });
      });
    }),
  /** The alarms' Region; default the Region the workflow runs in. */
  region: Region.optional(),
  /** `pause`: wait (bounded by maxPauseSeconds) until every alarm is out of ALARM; `halt`: start nothing more. */
  whileInAlarm: z.enum(['pause', 'halt']).default(C.whileInAlarm),
  /** How long a run waits for its alarms before it halts. */
  maxPauseSeconds: z.number().int().min(60).max(MAX_HOLD_SECONDS).default(C.alarmMaxPauseSeconds),
});
export type AlarmOptions = z.infer<typeof AlarmOptions>;

/** Maintenance windows read from a cluster tag (docs/operating-a-run.md, "Maintenance windows"). */
export const WindowOptions = z.strictObject({
  tag: TagKey.default(C.windowTag),
  /** Outside its window a cluster `wait`s for it (bounded by maxWaitSeconds) or is `defer`red to the next run. */
  outside: z.enum(['wait', 'defer']).default(C.outsideWindow),
  /** A window that opens later than this is not waited for: the cluster is deferred. */
  maxWaitSeconds: z.number().int().min(0).max(MAX_HOLD_SECONDS).default(C.maxWindowWaitSeconds),
});
export type WindowOptions = z.infer<typeof WindowOptions>;

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
  // PRESERVE keeps custom field edits across the update (docs/eks-behaviour.md#conflict-resolution).
  resolveConflicts: z.enum(['PRESERVE', 'OVERWRITE', 'NONE']).default(D.resolveConflicts),
  /** Seconds between polls once the expected duration has passed. */
  pollIntervalSeconds: z.number().int().min(1).max(600).default(D.pollIntervalSeconds),
  /** First wait after an update starts, until the cluster's own last hop duration is known. */
  expectedHopSeconds: z.number().int().min(1).max(3600).default(D.expectedHopSeconds),
  /**
   * A hop still InProgress after this long fails with HopTimeoutError (Terraform's default is 20 min:
   * docs/eks-behaviour.md#how-long-an-update-takes).
   */
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
  /** Fleet: seconds to wait after each wave ends before the next starts (a Wait state, visible in the console). */
  bakeSeconds: z.number().int().min(0).max(MAX_CONTROL_SECONDS).default(D.bakeSeconds),
  /** Fleet: per-wave bake time and approval, by wave name (`untagged` for the clusters without the wave tag). */
  waves: z.record(WaveName, WaveControls).refine((w) => Object.keys(w).length <= 50, 'at most 50 waves').optional(),
  /** Fleet: approval gates before waves; absent: only waves whose `waves` entry asks for one. */
  approval: ApprovalOptions.optional(),
  /** CloudWatch alarms checked before each cluster starts and between waves; absent: none. */
  alarms: AlarmOptions.optional(),
  /** How maintenance-window tags are honoured; absent: the tag cni-fleet/window, wait up to a day. */
  windows: WindowOptions.optional(),
  /** Seconds between looks at a paused run, an alarm or a wave's hold (each look is a few state transitions). */
  controlPollSeconds: z.number().int().min(10).max(3600).default(D.controlPollSeconds),
  /** A run paused (`cni-fleet pause`) for longer than this halts: what is left is SKIPPED with the reason. */
  maxPauseSeconds: z.number().int().min(60).max(MAX_HOLD_SECONDS).default(D.maxPauseSeconds),
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
