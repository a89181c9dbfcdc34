import { CniFleetError } from '../errors.js';

// The operator CLI's own failures live here, not in lib/errors.ts: that file lists the names the state machines
// match in Retry/Catch, and the template test holds it to exactly those.

/** `--stage S` names a stack (`cni-fleet-S`) that DescribeStacks does not find in the account and Region. */
export class StackNotFoundError extends CniFleetError {
  override readonly name = 'StackNotFoundError' as const;
  constructor(
    readonly stackName: string,
    readonly region: string,
    options?: ErrorOptions,
  ) {
    super(`stack ${stackName} not found in ${region}: deploy it (npx serverless deploy --stage …), or check --stage, --region and --profile`, options);
  }
}

/** The stack exists but lacks an output the CLI needs (an older deployment, or a stack still being created). */
export class StackOutputMissingError extends CniFleetError {
  override readonly name = 'StackOutputMissingError' as const;
  constructor(
    readonly stackName: string,
    readonly outputKey: string,
    readonly stackStatus: string,
  ) {
    super(`stack ${stackName} (${stackStatus}) has no output ${outputKey}; redeploy it, or pass the value explicitly`);
  }
}

/** A local progress log was asked for (`history --local DIR`) but the folder holds none. */
export class LocalProgressNotFoundError extends CniFleetError {
  override readonly name = 'LocalProgressNotFoundError' as const;
  constructor(readonly dataDir: string) {
    super(`no local progress log in ${dataDir}: run a rehearsal first (npm start), or read AWS with --stage or --table`);
  }
}

/** A run id that neither the stage's workflows nor the progress log know. */
export class RunNotFoundError extends CniFleetError {
  override readonly name = 'RunNotFoundError' as const;
  constructor(
    readonly runId: string,
    readonly where: string,
  ) {
    super(`no run ${runId} in ${where}: \`cni-fleet runs\` lists the runs`);
  }
}

/** `cni-fleet pause|resume` of a run that has ended (or is in that state already, for nothing to do). */
export class RunNotRunningError extends CniFleetError {
  override readonly name = 'RunNotRunningError' as const;
  constructor(
    readonly runId: string,
    readonly status: string,
    readonly action: string,
  ) {
    super(`run ${runId} is ${status}: nothing to ${action}`);
  }
}

/** `cni-fleet approve|reject` with no approval waiting (for that wave): the message lists what there is. */
export class NoPendingApprovalError extends CniFleetError {
  override readonly name = 'NoPendingApprovalError' as const;
  constructor(
    readonly runId: string,
    readonly wave: string | undefined,
    readonly known: readonly string[],
  ) {
    super(`run ${runId} waits for no approval${wave === undefined ? '' : ` of wave ${wave}`}${known.length ? ` (its approvals: ${known.join(', ')})` : ''}`);
  }
}

/** `--local` for a command that acts on a running run, but no rehearsal runs on the folder. */
export class NoRunningRehearsalError extends CniFleetError {
  override readonly name = 'NoRunningRehearsalError' as const;
  constructor(readonly dataDir: string) {
    super(`no rehearsal is running on ${dataDir}: a local run can only be approved, rejected, paused or resumed while \`cni-fleet rehearse\` runs (see --data-dir)`);
  }
}
