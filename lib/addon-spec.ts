import { InputValidationError } from './errors.js';
import { VPC_CNI_VERSION_POLICY, type VersionPolicy } from './versions/version-policy.js';

/**
 * Everything cni-fleet knows about one EKS add-on, in one place: the workflows carry only the add-on's name (the
 * execution input's `addon`, default `vpc-cni`) and every step resolves it here with `addonSpec(name)`. A second
 * add-on is a second entry of ADDON_SPECS with its IAM and its gate workload (docs/workflow.md, "The add-on"). It sits
 * beside lib/errors.ts, below the lib/ folders, because the input schemas, the steps and the rollout gate all read it.
 */
export interface AddonSpec {
  /** The EKS add-on name every add-on call takes (DescribeAddon, UpdateAddon, CreateAddon, DescribeAddonVersions…). */
  readonly name: string;
  /** The rules planPath walks a version path by. */
  readonly versionPolicy: VersionPolicy;
  /**
   * The IAM resource of the add-on for clusters matching `clusterPattern` (an IAM wildcard pattern), after
   * `arn:<partition>:eks:<region>:<account>:`. serverless.yml and docs/target-account-role.yaml cannot import this
   * module: the template test proves every add-on resource they grant equals it.
   */
  readonly iamResource: (clusterPattern: string) => string;
  /** The Kubernetes workload the add-on runs as: what the pre-flight and the rollout gate read and judge. */
  readonly workload: AddonWorkload;
  /**
   * Whether a self-managed install (the workload deployed by hand, no managed add-on) can be adopted by CreateAddon,
   * its settings translated into configurationValues (docs/self-managed.md). The translation rules themselves are the
   * add-on's own (lib/migration/).
   */
  readonly selfManagedMigration: boolean;
}

/** A DaemonSet and the containers of its pods the gate judges. */
export interface AddonWorkload {
  readonly namespace: string;
  readonly daemonSet: string;
  /** The pods' label selector when the DaemonSet does not say (it always does on a healthy cluster). */
  readonly podSelector: string;
  /** The container whose image tag is the add-on's version (the build a hop moves to). */
  readonly versionContainer: string;
  /** The containers whose image must be the template's before a pod counts as updated (init containers included). */
  readonly imageContainers: readonly string[];
}

/** The Amazon VPC CNI plugin for Kubernetes, as EKS manages it (docs/eks-behaviour.md). */
export const VPC_CNI: AddonSpec = {
  name: 'vpc-cni',
  versionPolicy: VPC_CNI_VERSION_POLICY,
  iamResource: (clusterPattern) => `addon/${clusterPattern}/vpc-cni/*`,
  workload: { namespace: 'kube-system', daemonSet: 'aws-node', podSelector: 'k8s-app=aws-node', versionContainer: 'aws-node', imageContainers: ['aws-node', 'aws-vpc-cni-init'] },
  selfManagedMigration: true,
};

/** Every add-on cni-fleet can upgrade, by name. */
export const ADDON_SPECS: Readonly<Record<string, AddonSpec>> = { [VPC_CNI.name]: VPC_CNI };

/** The names an execution input's `addon` may take; the first is its default. */
export const ADDON_NAMES = [VPC_CNI.name] as const;
export type AddonName = (typeof ADDON_NAMES)[number];

/** The add-on of an input that names none. */
export const DEFAULT_ADDON: AddonName = ADDON_NAMES[0];

/**
 * The spec of a registered add-on.
 *
 * @param name the add-on's name as the state carries it (validated against ADDON_NAMES on input); undefined in a state
 *   written before the workflows carried the name (an execution started before that deploy), which upgrades the only
 *   add-on there was then, DEFAULT_ADDON
 * @param field the field that named it, for the error
 * @throws InputValidationError naming `field` for an add-on cni-fleet does not know
 * @example
 * addonSpec('vpc-cni').workload.daemonSet // 'aws-node'
 */
export function addonSpec(name: string = DEFAULT_ADDON, field = 'addon'): AddonSpec {
  const spec = Object.hasOwn(ADDON_SPECS, name) ? ADDON_SPECS[name] : undefined;
  if (!spec) throw new InputValidationError(field, `"${name}" is not an add-on cni-fleet upgrades; it knows ${Object.keys(ADDON_SPECS).map((n) => `"${n}"`).join(', ')}`);
  return spec;
}
