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
  kubernetesAccess: 'required',
  rolloutSoakSeconds: 120,
} as const;
