import type { Addon } from '@aws-sdk/client-eks';
import { parse as parseYaml } from 'yaml';
import type { PlanState, Snapshot } from '../workflow/state.js';

/** The settings an upgrade must keep: what the add-on had at the snapshot, or what a migration created it with. */
export interface KeptSettings {
  readonly configurationValues: string | null;
  readonly serviceAccountRoleArn: string | null;
  /** Association ARNs, sorted. */
  readonly podIdentityAssociations: readonly string[];
}

/**
 * What every hop must leave in place: the snapshot's configurationValues, IRSA role and pod identity associations —
 * or, for a migrated self-managed install, the settings CreateAddon was given (there was no add-on to snapshot).
 *
 * @example
 * keptSettings(snapshot, plan) // { configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}', serviceAccountRoleArn: null, podIdentityAssociations: [] }
 */
export function keptSettings(snapshot: Snapshot, plan: Pick<PlanState, 'migration'> | undefined): KeptSettings {
  return {
    configurationValues: plan?.migration ? plan.migration.configurationValues : snapshot.configurationValues,
    serviceAccountRoleArn: snapshot.serviceAccountRoleArn,
    podIdentityAssociations: snapshot.podIdentityAssociations,
  };
}

/**
 * configurationValues are JSON or YAML text (docs/vpc-cni-settings.md#configurationvalues); compare what they mean, not
 * their spelling.
 */
const sameConfiguration = (a: string | null | undefined, b: string | null | undefined): boolean => {
  const norm = (text: string | null | undefined): string => {
    if (text === null || text === undefined || text.trim() === '') return '{}';
    try {
      return JSON.stringify(parseYaml(text), (_k, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y))) : v,
      );
    } catch {
      return text;
    }
  };
  return norm(a) === norm(b);
};

/**
 * Every way the add-on as DescribeAddon shows it differs from the settings it must keep, one sentence each; empty
 * when configuration (by meaning), role and associations are all as they were.
 *
 * @example
 * settingsDifferences({ configurationValues: '{}' }, kept) // ['configurationValues changed from {"env":{"WARM_IP_TARGET":"5"}} to {}']
 */
export function settingsDifferences(addon: Pick<Addon, 'configurationValues' | 'serviceAccountRoleArn' | 'podIdentityAssociations'> | undefined, kept: KeptSettings): string[] {
  const differences: string[] = [];
  if (!sameConfiguration(addon?.configurationValues, kept.configurationValues))
    differences.push(`configurationValues changed from ${kept.configurationValues ?? '(none)'} to ${addon?.configurationValues ?? '(none)'}`);
  if ((addon?.serviceAccountRoleArn ?? null) !== kept.serviceAccountRoleArn)
    differences.push(`serviceAccountRoleArn changed from ${kept.serviceAccountRoleArn ?? '(none)'} to ${addon?.serviceAccountRoleArn ?? '(none)'}`);
  const associations = [...(addon?.podIdentityAssociations ?? [])].sort();
  if (JSON.stringify(associations) !== JSON.stringify([...kept.podIdentityAssociations].sort()))
    differences.push(`podIdentityAssociations changed from [${kept.podIdentityAssociations.join(', ')}] to [${associations.join(', ')}]`);
  return differences;
}
