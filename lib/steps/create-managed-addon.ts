import { CreateAddonCommand, DescribeAddonCommand } from '@aws-sdk/client-eks';
import type { Addon, EKSClient } from '@aws-sdk/client-eks';
import { eksErrorName, isInUse, rejectedRequest, translateEksError } from '../aws/eks-errors.js';
import type { ClusterIdentity, PlanState } from '../workflow/state.js';
import { addonSpec } from '../addon-spec.js';

export interface CreateHopInput {
  readonly cluster: ClusterIdentity;
  /** The add-on's name (the state's `addon`; absent: vpc-cni, as in a state written before the field existed). */
  readonly addon?: string | undefined;
  /** The build the add-on is created at (the plan's `create` hop). */
  readonly version: string;
  readonly migration: NonNullable<PlanState['migration']>;
  /** Per run, cluster and hop: a retried task gets the same add-on back (docs/eks-behaviour.md#idempotency-tokens). */
  readonly clientRequestToken: string;
}

/**
 * The `create` hop of a self-managed migration: CreateAddon at the hop's build with `resolveConflicts: OVERWRITE`
 * (the self-managed DaemonSet's custom fields conflict with EKS's server-side apply; NONE/PRESERVE would end
 * CREATE_FAILED — docs/eks-behaviour.md#conflict-resolution), the translated configurationValues
 * (OVERWRITE resets everything to the build's defaults, so the custom settings must be in the request itself) and
 * the IRSA role from the ServiceAccount. A 409 `Addon already exists.` (docs/eks-behaviour.md#error-messages) after a
 * lost response or a resumed run adopts the add-on when it is at this build; otherwise EKS's refusal is the hop's
 * failure.
 *
 * @throws AddonRequestRejectedError when EKS refuses the request, or an add-on at another build exists
 * @example
 * const addon = await createManagedAddon(eks, { cluster, version: 'v1.15.1-eksbuild.1', migration, clientRequestToken });
 * addon.status // 'CREATING'
 */
export async function createManagedAddon(eks: EKSClient, input: CreateHopInput): Promise<Addon> {
  const addonName = addonSpec(input.addon).name;
  const { cluster, version, migration } = input;
  const ref = cluster.key;
  try {
    const out = await eks.send(
      new CreateAddonCommand({
        clusterName: cluster.name,
        addonName,
        addonVersion: version,
        resolveConflicts: 'OVERWRITE',
        ...(migration.configurationValues !== null ? { configurationValues: migration.configurationValues } : {}),
        ...(migration.serviceAccountRoleArn !== null ? { serviceAccountRoleArn: migration.serviceAccountRoleArn } : {}),
        clientRequestToken: input.clientRequestToken,
      }),
    );
    return out.addon ?? {};
  } catch (error) {
    if (isInUse(error)) {
      const existing = await eks.send(new DescribeAddonCommand({ clusterName: cluster.name, addonName })).then(
        (out) => out.addon,
        (e: unknown) => translateEksError(e, ref),
      );
      if (existing?.addonVersion === version) return existing;
      throw rejectedRequest(error, cluster.key, version);
    }
    if (eksErrorName(error) === 'InvalidParameterException' || eksErrorName(error) === 'InvalidRequestException') throw rejectedRequest(error, cluster.key, version);
    return translateEksError(error, ref);
  }
}
