/**
 * Every error cni-fleet throws on purpose. Each class's `name` is the literal string that the state
 * machines match in `Retry`/`Catch` (`ErrorEquals`): Lambda reports `error.name` as the error type
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html).
 */
export class CniFleetError extends Error {
  override name: string = 'CniFleetError';

  /** True for errors from any copy of this module (a bundled Lambda and the CLI may load two copies). */
  get isCniFleetError(): true {
    return true;
  }
}

/** True when `error` is a cni-fleet error, even one created by another copy of this module. */
export function isCniFleetError(error: unknown): error is CniFleetError {
  return typeof error === 'object' && error !== null && (error as { isCniFleetError?: unknown }).isCniFleetError === true;
}

/**
 * Bad input: an execution input, a fleet file or a command-line option. Thrown before anything in a
 * cluster changes. `field` is the path of the offending value, e.g. `clusters[3].addon.version`.
 */
export class InputValidationError extends CniFleetError {
  override readonly name = 'InputValidationError' as const;
  constructor(
    readonly field: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** A string that is not a vpc-cni version (`vMAJOR.MINOR.PATCH` with an optional `-eksbuild.N`). */
export class InvalidVersionError extends CniFleetError {
  override readonly name = 'InvalidVersionError' as const;
  constructor(
    readonly input: string,
    readonly field = 'version',
    options?: ErrorOptions,
  ) {
    super(`${field}: "${input}" is not a vpc-cni version (expected vMAJOR.MINOR.PATCH or vMAJOR.MINOR.PATCH-eksbuild.N)`, options);
  }
}

/*
 * Every cluster-scoped error below names its cluster by its key `account/region/name` (lib/workflow/state.ts
 * clusterKey), in its `cluster` field and in its message: a name alone is ambiguous across accounts and Regions,
 * and the message is what the progress log, the report and the notification show.
 */

/** EKS kept throttling after the SDK's own retries; the state machine retries the step with backoff. */
export class EksThrottledError extends CniFleetError {
  override readonly name = 'EksThrottledError' as const;
}

/** EKS answered 5xx (ServerException, ServiceUnavailableException) after the SDK's retries; retried with backoff. */
export class EksUnavailableError extends CniFleetError {
  override readonly name = 'EksUnavailableError' as const;
}

/**
 * DescribeCluster says the cluster does not exist (deleted, or a ListClusters ghost:
 * docs/eks-behaviour.md#listclusters-ghosts).
 */
export class ClusterNotFoundError extends CniFleetError {
  override readonly name = 'ClusterNotFoundError' as const;
  constructor(
    readonly cluster: string,
    options?: ErrorOptions,
  ) {
    super(`Cluster ${cluster} was not found`, options);
  }
}

/**
 * The cluster EKS described is not the one the run names: its ARN's account, Region or name differ from the
 * entry's (credentials that act in another account, an endpoint of another Region). Nothing was changed.
 */
export class ClusterIdentityMismatchError extends CniFleetError {
  override readonly name = 'ClusterIdentityMismatchError' as const;
  constructor(
    readonly cluster: string,
    readonly arn: string,
    readonly differences: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`DescribeCluster for ${cluster} answered with ${arn || 'no ARN'} (${differences.join('; ')}); nothing was changed`, options);
  }
}

/** The control plane is not ACTIVE (e.g. UPDATING); the snapshot step is retried, bounded. */
export class ClusterNotActiveError extends CniFleetError {
  override readonly name = 'ClusterNotActiveError' as const;
  constructor(
    readonly cluster: string,
    readonly status: string,
    options?: ErrorOptions,
  ) {
    super(`Cluster ${cluster} is ${status}, not ACTIVE`, options);
  }
}

/** The add-on is being created or updated by someone else; the step waits and retries, bounded. */
export class AddonBusyError extends CniFleetError {
  override readonly name = 'AddonBusyError' as const;
  constructor(
    readonly cluster: string,
    readonly status: string,
    options?: ErrorOptions,
  ) {
    super(`Add-on vpc-cni on ${cluster} is ${status}; waiting for it to settle`, options);
  }
}

/** The cluster cannot or must not be touched (Fargate-only, EKS Auto Mode, no vpc-cni at all). */
export class ClusterSkippedError extends CniFleetError {
  override readonly name = 'ClusterSkippedError' as const;
  constructor(
    readonly cluster: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Skipped ${cluster}: ${reason}`, options);
  }
}

/** The planner found no safe path (a minor not offered for the Kubernetes version, a refused downgrade …). */
export class PlanBlockedError extends CniFleetError {
  override readonly name = 'PlanBlockedError' as const;
  constructor(
    readonly cluster: string,
    readonly code: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`Upgrade of ${cluster} is blocked (${code}): ${reason}`, options);
  }
}

/**
 * A rollback that may not run (docs/operating-a-run.md, "Rollback"): no hop to roll back, another hop than the one
 * confirmed, more than one minor, a rollback of a rollback, or the add-on's configuration, role or pod identity
 * associations changed since the hop. Refused before any change: the cluster is BLOCKED with the reason.
 */
export class RollbackRefusedError extends CniFleetError {
  override readonly name = 'RollbackRefusedError' as const;
  constructor(
    readonly cluster: string,
    readonly reason: string,
  ) {
    super(`Rollback of ${cluster} refused: ${reason}`);
  }
}

/** The cluster's configurationValues are not valid for a version on the path: refused before the first change. */
export class ConfigurationRejectedError extends CniFleetError {
  override readonly name = 'ConfigurationRejectedError' as const;
  constructor(
    readonly cluster: string,
    readonly version: string,
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`configurationValues of ${cluster} are not valid for ${version}: ${problems.join('; ')}`, options);
  }
}

/** EKS rejected the UpdateAddon/CreateAddon call itself (InvalidParameterException and the like). */
export class AddonRequestRejectedError extends CniFleetError {
  override readonly name = 'AddonRequestRejectedError' as const;
  constructor(
    readonly cluster: string,
    readonly version: string,
    readonly errorCode: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`EKS rejected the move of ${cluster} to ${version}: ${errorCode}: ${message}`, options);
  }
}

/** EKS reported the update as Failed or Cancelled; `errors` are its ErrorDetails. */
export class AddonUpdateFailedError extends CniFleetError {
  override readonly name = 'AddonUpdateFailedError' as const;
  constructor(
    readonly cluster: string,
    readonly updateId: string,
    readonly errors: readonly { errorCode?: string; errorMessage?: string }[],
    options?: ErrorOptions,
  ) {
    super(
      `Update ${updateId} on ${cluster} failed: ${errors.map((e) => `${e.errorCode ?? 'Unknown'}: ${e.errorMessage ?? ''}`).join('; ') || 'no details'}`,
      options,
    );
  }
}

/** The add-on ended DEGRADED, UPDATE_FAILED or CREATE_FAILED, or ACTIVE with health issues. */
export class AddonUnhealthyError extends CniFleetError {
  override readonly name = 'AddonUnhealthyError' as const;
  constructor(
    readonly cluster: string,
    readonly status: string,
    readonly issues: readonly { code?: string; message?: string }[],
    options?: ErrorOptions,
  ) {
    super(
      `Add-on vpc-cni on ${cluster} is ${status}${issues.length ? `: ${issues.map((i) => `${i.code ?? ''}: ${i.message ?? ''}`).join('; ')}` : ''}`,
      options,
    );
  }
}

/** A node, pod or container at fault in aws-node, as the pre-flight and the gate name it (lib/rollout/rollout-verdict.ts). */
export interface AwsNodeFault {
  readonly node: string | null;
  readonly pod: string | null;
  readonly container: string | null;
  readonly reason: string;
  readonly message: string;
}

const NAMED_IN_MESSAGE = 5;

/** `ip-10-0-0-4… (aws-node CrashLoopBackOff), …` and the first fault's detail: what a notification has room for. */
function faultSummary(faults: readonly AwsNodeFault[]): string {
  const nodes = new Set(faults.map((f) => f.node ?? 'the DaemonSet'));
  const named = faults.slice(0, NAMED_IN_MESSAGE).map((f) => `${f.node ?? 'the DaemonSet'} (${[f.container, f.reason].filter(Boolean).join(' ')})`);
  const more = faults.length > NAMED_IN_MESSAGE ? ` and ${faults.length - NAMED_IN_MESSAGE} more` : '';
  return `${nodes.size} node(s): ${named.join(', ')}${more}${faults[0] ? `; ${faults[0].message}` : ''}`;
}

/**
 * The pre-flight found the cluster's aws-node already unhealthy (a container crash-looping or unable to pull its
 * image, a pod not Ready): the cluster is BLOCKED before any change, the nodes named.
 */
export class AwsNodeUnhealthyError extends CniFleetError {
  override readonly name = 'AwsNodeUnhealthyError' as const;
  constructor(
    readonly cluster: string,
    readonly faults: readonly AwsNodeFault[],
    options?: ErrorOptions,
  ) {
    super(`aws-node on ${cluster} is already unhealthy, so nothing was changed: ${faultSummary(faults)}`, options);
  }
}

/**
 * The rollout gate after a hop: EKS reported the add-on ACTIVE and healthy, but the aws-node DaemonSet did not roll
 * out healthy (a container crash-looping, unable to pull, not Ready, restarting, or the rollout not complete by the
 * hop's deadline). The cluster ends FAILED at that hop, the nodes named; no further hop.
 */
export class AwsNodeRolloutError extends CniFleetError {
  override readonly name = 'AwsNodeRolloutError' as const;
  constructor(
    readonly cluster: string,
    readonly version: string,
    readonly faults: readonly AwsNodeFault[],
    /** The DaemonSet's figures at the read that failed. */
    readonly counts: { readonly desired: number; readonly updated: number; readonly available: number },
    options?: ErrorOptions,
  ) {
    super(`aws-node on ${cluster} did not roll out healthy after the hop to ${version} (EKS reported it ACTIVE): ${faultSummary(faults)}`, options);
  }
}

/** The hop did not finish within the step timeout; no new update is issued on top of it. */
export class HopTimeoutError extends CniFleetError {
  override readonly name = 'HopTimeoutError' as const;
  constructor(
    readonly cluster: string,
    readonly version: string,
    readonly polls: number,
    options?: ErrorOptions,
  ) {
    super(`Hop of ${cluster} to ${version} did not finish after ${polls} polls`, options);
  }
}

/** After the last hop the add-on's version, configuration or role differ from what was planned and snapshotted. */
export class VerificationFailedError extends CniFleetError {
  override readonly name = 'VerificationFailedError' as const;
  constructor(
    readonly cluster: string,
    readonly differences: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`Verification of ${cluster} failed: ${differences.join('; ')}`, options);
  }
}

/**
 * After a hop, the add-on's configurationValues, IRSA role or pod identity associations differ from what the
 * snapshot (or the migration) set: the cluster stops at that hop instead of carrying the loss through the rest.
 */
export class SettingsChangedError extends CniFleetError {
  override readonly name = 'SettingsChangedError' as const;
  constructor(
    readonly cluster: string,
    readonly version: string,
    readonly differences: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`After the hop of ${cluster} to ${version}: ${differences.join('; ')}`, options);
  }
}

/**
 * An add-on configuration schema (DescribeAddonConfiguration `configurationSchema`:
 * docs/vpc-cni-settings.md#the-configuration-schema) that is not a usable JSON schema, so `configurationValues` cannot
 * be checked against it.
 */
export class InvalidConfigurationSchemaError extends CniFleetError {
  override readonly name = 'InvalidConfigurationSchemaError' as const;
  constructor(
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`configurationSchema is not a usable JSON schema: ${problem}`, options);
  }
}

/**
 * Another execution holds the cluster's lock and it has not expired: two runs must never move one
 * cluster's add-on at the same time. `expiresAt` is the lock's end in epoch seconds.
 */
export class LockHeldError extends CniFleetError {
  override readonly name = 'LockHeldError' as const;
  constructor(
    readonly clusterKey: string,
    readonly heldBy: string,
    readonly expiresAt: number,
    options?: ErrorOptions,
  ) {
    super(`Cluster ${clusterKey} is locked by ${heldBy} until ${new Date(expiresAt * 1000).toISOString()}`, options);
  }
}

/** A lock being renewed is no longer held by `owner`: it was released, or taken over after it expired. */
export class LockLostError extends CniFleetError {
  override readonly name = 'LockLostError' as const;
  constructor(
    readonly clusterKey: string,
    readonly owner: string,
    readonly heldBy: string | null,
    options?: ErrorOptions,
  ) {
    super(`${owner} no longer holds the lock of ${clusterKey}${heldBy === null ? '' : ` (now held by ${heldBy})`}`, options);
  }
}

/**
 * A progress record that is written once (snapshot, plan, hop start, a hop's end, a run's end) already
 * exists with different content. A replay of the same write is not an error: it returns the stored record.
 */
export class StepAlreadyRecordedError extends CniFleetError {
  override readonly name = 'StepAlreadyRecordedError' as const;
  constructor(
    readonly recordType: string,
    readonly pk: string,
    readonly sk: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${recordType} ${pk} ${sk} is already recorded: ${problem}`, options);
  }
}

/** An update of a progress record (run, cluster, hop) that was never created. */
export class ProgressRecordNotFoundError extends CniFleetError {
  override readonly name = 'ProgressRecordNotFoundError' as const;
  constructor(
    readonly recordType: string,
    readonly pk: string,
    readonly sk: string,
    options?: ErrorOptions,
  ) {
    super(`${recordType} ${pk} ${sk} does not exist`, options);
  }
}

/** The progress table exists but its keys or indexes differ from docs/progress-table.md (e.g. an old local LevelDB). */
export class ProgressTableMismatchError extends CniFleetError {
  override readonly name = 'ProgressTableMismatchError' as const;
  constructor(
    readonly tableName: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`Table ${tableName} does not match the progress table design: ${problem}`, options);
  }
}

/** The progress table stayed CREATING/UPDATING for longer than `ensureTable` waits. */
export class ProgressTableNotActiveError extends CniFleetError {
  override readonly name = 'ProgressTableNotActiveError' as const;
  constructor(
    readonly tableName: string,
    readonly polls: number,
    options?: ErrorOptions,
  ) {
    super(`Table ${tableName} was not ACTIVE after ${polls} DescribeTable calls`, options);
  }
}

/**
 * The cluster's Kubernetes API refused cni-fleet's read: 401 (the API server maps the caller to no identity: it has
 * no EKS access entry or aws-auth mapping) or 403 (it has one, but RBAC does not allow the read). The message says
 * which access entry or binding to create (docs/rollout-gate.md, "Access"). Not retried.
 */
export class KubernetesAccessError extends CniFleetError {
  override readonly name = 'KubernetesAccessError' as const;
  constructor(
    readonly cluster: string,
    readonly status: number,
    readonly request: string,
    readonly detail: { readonly principal?: string | undefined; readonly serverMessage?: string | undefined } = {},
    options?: ErrorOptions,
  ) {
    const who = detail.principal ?? "the function's role";
    const server = detail.serverMessage && detail.serverMessage !== 'Unauthorized' ? ` (${detail.serverMessage})` : '';
    const fix =
      status === 401
        ? `the API server knows no access entry for ${who}: create one with Kubernetes group cni-fleet-aws-node-reader`
        : `the access entry of ${who} does not allow this read: bind its group cni-fleet-aws-node-reader to the read-only Role`;
    super(`Kubernetes API of ${cluster} answered ${status} to "${request}"${server}: ${fix} (docs/rollout-gate.md, "Access")`, options);
  }
}

/** The cluster's Kubernetes API did not answer (5xx, network): the step is retried with backoff. */
export class KubernetesUnavailableError extends CniFleetError {
  override readonly name = 'KubernetesUnavailableError' as const;
  constructor(
    readonly cluster: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`Kubernetes API of ${cluster} is unavailable: ${problem}`, options);
  }
}

/**
 * Settings of a self-managed aws-node DaemonSet that the managed add-on cannot take over (no configuration key,
 * or refused by a build's schema): the migration stops before any change unless `acceptUntranslatable`.
 */
export class UntranslatableSettingsError extends CniFleetError {
  override readonly name = 'UntranslatableSettingsError' as const;
  constructor(
    readonly cluster: string,
    readonly settings: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `${settings.length} setting(s) of ${cluster}'s aws-node DaemonSet cannot be carried over to the managed add-on: ${settings.join('; ')}. Nothing was changed; set options.acceptUntranslatable to migrate without them`,
      options,
    );
  }
}

/**
 * A state machine definition uses something the local runner cannot run faithfully (a Distributed Map reading
 * items from S3, JSONata, a service integration other than Lambda and states:startExecution.sync). The runner
 * refuses it before anything runs rather than rehearse something AWS would do differently.
 */
export class UnsupportedDefinitionError extends CniFleetError {
  override readonly name = 'UnsupportedDefinitionError' as const;
  constructor(
    readonly machine: string,
    readonly state: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${machine}: state ${state}: ${problem}`, options);
  }
}

/**
 * A rollout control stopped the cluster before its first change (docs/operating-a-run.md): the run halted (failure
 * budget, an alarm in `halt` mode, a rejected or unanswered approval, a pause past its bound), or the cluster was
 * held longer than a run may hold it. Recorded SKIPPED: nothing in the cluster changed.
 */
export class RunHaltedError extends CniFleetError {
  override readonly name = 'RunHaltedError' as const;
  constructor(
    readonly cluster: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${cluster} was not started: ${reason}`, options);
  }
}

/**
 * The cluster's maintenance window is closed and the run does not wait for it (`windows.outside: defer`, or it
 * opens later than `windows.maxWaitSeconds`): deferred to the next run, SKIPPED with the window and its next opening.
 */
export class OutsideMaintenanceWindowError extends CniFleetError {
  override readonly name = 'OutsideMaintenanceWindowError' as const;
  constructor(
    readonly cluster: string,
    readonly window: string,
    readonly opensAt: string,
    readonly why: string,
    options?: ErrorOptions,
  ) {
    super(`${cluster} deferred to the next run: outside its maintenance window "${window}" (opens ${opensAt}); ${why}`, options);
  }
}

/**
 * A cluster's maintenance-window tag is not a window this tool can read: the cluster is left alone (BLOCKED) rather
 * than changed at a time its owners may not have allowed.
 */
export class MaintenanceWindowTagError extends CniFleetError {
  override readonly name = 'MaintenanceWindowTagError' as const;
  constructor(
    readonly cluster: string,
    readonly tag: string,
    readonly value: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`${cluster}: tag ${tag}="${value}" is not a maintenance window (${problem}); expected e.g. "Sat-Sun 02:00-06:00 UTC"`, options);
  }
}

/**
 * The error classes that no state machine matches by name, each with the reason. Every other class's `name`
 * appears in some Retry or Catch of statemachines/workflows.asl.yaml, and none of these does; test/deploy/template.test.ts
 * checks both, so a new error class must either be handled by name in the workflow or be listed here.
 */
export const ERRORS_NOT_MATCHED_IN_WORKFLOWS = {
  InputValidationError:
    'ends the execution at ValidateInput/ValidateFleetInput, which have no Catch on purpose: nothing ran, so there is nothing to record or release, and the execution fails with this name',
  InvalidVersionError: 'a bad version string in the execution input: ends the execution at ValidateInput like InputValidationError',
  StepAlreadyRecordedError: 'a replayed progress write with different content is a defect, not an outcome: recorded as FAILED through the States.ALL catchers',
  ProgressRecordNotFoundError: 'an update of a progress record that was never created is a defect: recorded as FAILED through the States.ALL catchers',
  ProgressTableMismatchError: 'a table that differs from docs/progress-table.md is a deployment defect: recorded through the States.ALL catchers',
  ProgressTableNotActiveError: 'only ensureTable (the local runner and the CLI) throws it; no deployed function creates tables',
  LockLostError: 'only ProgressStore.renewLock throws it, and no workflow step renews a lock',
  UnsupportedDefinitionError: 'only the local runner throws it, when it loads a definition, before any execution starts',
} as const satisfies Record<string, string>;
