/**
 * The defaults of the upgrade options, in one place: the workflows' schema (upgrade-options.ts) fills them in, and
 * the command line shows them in its help without loading the schema. `rehearse` passes only what the operator
 * gave, so a rehearsal and a deployed run of the same input behave alike.
 */
export const UPGRADE_DEFAULTS = {
  target: 'default',
  dryRun: false,
  allowDowngrade: false,
  resolveConflicts: 'PRESERVE',
  pollIntervalSeconds: 15,
  expectedHopSeconds: 60,
  hopTimeoutSeconds: 1800,
  lanesAtOnce: 10,
  perLaneConcurrency: 5,
  failureThreshold: 1,
  acceptUntranslatable: false,
  bakeSeconds: 0,
  controlPollSeconds: 60,
  maxPauseSeconds: 43_200,
  kubernetesAccess: 'required',
  rolloutSoakSeconds: 120,
} as const;

/**
 * The defaults of the rollout controls' option groups (`approval`, `alarms`, `windows`), which stay absent from an
 * execution's state unless the input sets them (they ride in every child execution's input): docs/operating-a-run.md.
 */
export const CONTROL_DEFAULTS = {
  approvalTimeoutSeconds: 86_400,
  whileInAlarm: 'pause',
  alarmMaxPauseSeconds: 3_600,
  windowTag: 'cni-fleet/window',
  outsideWindow: 'wait',
  maxWindowWaitSeconds: 86_400,
} as const;
