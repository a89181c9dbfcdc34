import { validateConfigurationValues } from '../addon/configuration-schema.js';
import type { CarriedSetting, Translation, UntranslatableSetting } from './translate-settings.js';
import { configurationOf } from './translate-settings.js';

/** One build on the path and its configuration schema (DescribeAddonConfiguration). */
export interface BuildSchema {
  readonly version: string;
  readonly schema: string;
}

/** A translation after every build on the path was asked: what will be sent, and everything left behind. */
export interface FittedTranslation extends Translation {
  /** The configurationValues text CreateAddon sends; null when nothing is carried. */
  readonly configurationValues: string | null;
}

// `$.env.WARM_IP_TARGET` → `env.WARM_IP_TARGET`; `$['odd key']` segments are kept as they are.
const dotted = (path: string): string => path.replace(/^\$\.?/, '');

/**
 * Keeps the carried settings every build on the path accepts (docs/vpc-cni-settings.md#configurationvalues: EKS refuses
 * the whole request when one key is not in the build's schema) and moves the refused ones to `untranslatable`, naming
 * the build and EKS's reason. Checking every build, not only the first, avoids a migration that creates the add-on and
 * then cannot take the next hop.
 *
 * @throws InvalidConfigurationSchemaError when a schema is not usable
 * @example
 * fitToSchemas(translation, [{ version: 'v1.15.1-eksbuild.1', schema }]).configurationValues // '{"env":{"WARM_IP_TARGET":"3"}}'
 */
export function fitToSchemas(translation: Translation, builds: readonly BuildSchema[]): FittedTranslation {
  let carried: CarriedSetting[] = [...translation.carried];
  const untranslatable: UntranslatableSetting[] = [...translation.untranslatable];
  for (const build of builds) {
    // Each round drops what the schema refused; a refusal that names no carried key (a malformed value inside one)
    // drops the key it sits under, so the loop ends after at most carried.length rounds.
    for (let round = 0; round <= translation.carried.length; round++) {
      const verdict = validateConfigurationValues(build.schema, JSON.stringify(configurationOf(carried)));
      if (verdict.ok) break;
      const refused = new Map<CarriedSetting, string[]>();
      for (const problem of verdict.problems) {
        const path = dotted(problem.path);
        const owner = carried.find((c) => path === c.key || path.startsWith(`${c.key}.`) || path.startsWith(`${c.key}[`) || c.key.startsWith(`${path}.`));
        if (owner) refused.set(owner, [...(refused.get(owner) ?? []), `${problem.path}: ${problem.message}`]);
      }
      if (refused.size === 0) {
        for (const c of carried) untranslatable.push({ field: c.from, reason: `refused by ${build.version}'s configuration schema: ${verdict.problems.map((p) => `${p.path}: ${p.message}`).join(', ')}` });
        carried = [];
        break;
      }
      for (const [setting, reasons] of refused) untranslatable.push({ field: setting.from, reason: `${build.version}'s configuration schema refuses it (${reasons.join('; ')})` });
      carried = carried.filter((c) => !refused.has(c));
    }
  }
  const configuration = configurationOf(carried);
  return {
    configuration,
    serviceAccountRoleArn: translation.serviceAccountRoleArn,
    carried,
    untranslatable,
    configurationValues: carried.length > 0 ? JSON.stringify(configuration) : null,
  };
}
