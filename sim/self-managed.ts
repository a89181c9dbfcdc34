import type { SelfManaged } from '../lib/fleet/fleet-file.js';
import { readConfigurationValues } from './configuration-check.js';
import type { AddonSettings } from './model.js';

const AWS_NODE = 'DaemonSet.apps aws-node - .spec.template.spec';

/**
 * The fields of a self-managed install that EKS's server-side apply (field manager `eks`) would fight over
 * when CreateAddon runs with NONE or PRESERVE: every setting that differs from the manifest
 * (docs/eks-behaviour.md#conflict-resolution, "Mechanism"; conflict lines in the format of
 * aws/amazon-vpc-cni-k8s#2150/#2607 and terraform-aws-eks#2829). Empty when the install is stock.
 *
 * @example
 * selfManagedConflicts({ version: 'v1.11.4', env: { WARM_IP_TARGET: '5' } })
 * // ['DaemonSet.apps aws-node - .spec.template.spec.containers[name="aws-node"].env[name="WARM_IP_TARGET"].value']
 */
export function selfManagedConflicts(selfManaged: SelfManaged): string[] {
  const lines: string[] = [];
  for (const key of Object.keys(selfManaged.env ?? {})) lines.push(`${AWS_NODE}.containers[name="aws-node"].env[name="${key}"].value`);
  for (const key of Object.keys(selfManaged.initEnv ?? {}))
    lines.push(`${AWS_NODE}.initContainers[name="aws-vpc-cni-init"].env[name="${key}"].value`);
  for (const kind of ['requests', 'limits'] as const)
    for (const key of Object.keys(selfManaged.resources?.[kind] ?? {}))
      lines.push(`${AWS_NODE}.containers[name="aws-node"].resources.${kind}.${key}`);
  if (selfManaged.tolerations?.length) lines.push(`${AWS_NODE}.tolerations`);
  for (const key of Object.keys(selfManaged.extras ?? {})) lines.push(`${AWS_NODE}.${key}`);
  if (selfManaged.serviceAccountRoleArn) lines.push('ServiceAccount aws-node - .metadata.annotations.eks.amazonaws.com/role-arn');
  return lines;
}

/**
 * The health-issue / update-error text EKS gives for those conflicts (verbatim prefix:
 * docs/eks-behaviour.md#conflict-resolution).
 */
export function conflictMessage(conflicts: readonly string[]): string {
  return `Conflicts found when trying to apply. Will not continue due to resolve conflicts mode. Conflicts:\n${conflicts.join('\n')}`;
}

const stringRecord = (value: unknown): Record<string, string> | undefined => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length ? Object.fromEntries(entries) : undefined;
};

/**
 * What stays on the cluster after DeleteAddon with `preserve=true`: the same software, now self-managed
 * (docs/eks-behaviour.md#the-update-lifecycle), with the add-on's configured env, resources and role.
 */
export function selfManagedFromAddon(settings: AddonSettings): SelfManaged {
  const selfManaged: SelfManaged = { version: settings.addonVersion };
  const parsed = settings.configurationValues ? readConfigurationValues(settings.configurationValues) : undefined;
  const config = parsed?.ok && typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as Record<string, unknown>) : {};
  const env = stringRecord(config.env);
  if (env) selfManaged.env = env;
  const init = config.init as Record<string, unknown> | undefined;
  const initEnv = stringRecord(init?.env);
  if (initEnv) selfManaged.initEnv = initEnv;
  const resources = config.resources as Record<string, unknown> | undefined;
  const requests = stringRecord(resources?.requests);
  const limits = stringRecord(resources?.limits);
  if (requests || limits) selfManaged.resources = { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
  if (Array.isArray(config.tolerations)) selfManaged.tolerations = config.tolerations as Record<string, unknown>[];
  if (settings.serviceAccountRoleArn) selfManaged.serviceAccountRoleArn = settings.serviceAccountRoleArn;
  return selfManaged;
}
