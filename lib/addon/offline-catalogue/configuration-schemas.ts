import v1151 from './vpc-cni-v1.15.1-eksbuild.1.json' with { type: 'json' };
import type { VersionRules } from './catalogue.js';

interface JsonSchemaObject {
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}
interface VpcCniSchema {
  definitions: { VpcCni: JsonSchemaObject; Env: JsonSchemaObject; [name: string]: JsonSchemaObject };
  [key: string]: unknown;
}

/**
 * APPROXIMATION (docs/vpc-cni-settings.md#schemas-per-build): only the v1.15.1-eksbuild.1 schema is known verbatim
 * (beside this file, from the AWS CLI's describe-addon-configuration example). Other builds get it with the keys
 * that arrived later removed: before v1.15.1 no `env.ENABLE_V4_EGRESS` (added upstream in v1.15.1:
 * docs/vpc-cni-settings.md#aws-node-environment-variables); before v1.14 no `enableNetworkPolicy` / `nodeAgent`
 * (network policy arrived in v1.14.0); before v1.12.5 (exact cut-over unknown) no
 * `env.POD_SECURITY_GROUP_ENFORCING_MODE` (v1.12.0-eksbuild.1 rejected it, aws/amazon-vpc-cni-k8s#2173). Builds after
 * v1.15.1 certainly accept more keys (POD_MTU, …) but their schemas were not retrieved, so they get v1.15.1's.
 */
const REMOVALS: readonly { before: string; from: 'VpcCni' | 'Env'; keys: readonly string[] }[] = [
  { before: 'v1.15.1', from: 'Env', keys: ['ENABLE_V4_EGRESS'] },
  { before: 'v1.14.0', from: 'VpcCni', keys: ['enableNetworkPolicy', 'nodeAgent'] },
  { before: 'v1.12.5', from: 'Env', keys: ['POD_SECURITY_GROUP_ENFORCING_MODE'] },
];

/**
 * The offline configuration schemas, compared with the caller's version rules: a function giving the schema text
 * (JSON Schema draft-06, as DescribeAddonConfiguration returns it: a string) for a vpc-cni build.
 *
 * @example
 * const configurationSchemaFor = offlineConfigurationSchemas({ compare: compareVersions });
 * JSON.parse(configurationSchemaFor('v1.14.1-eksbuild.1')).definitions.Env.properties.ENABLE_V4_EGRESS // undefined
 */
export function offlineConfigurationSchemas(rules: Pick<VersionRules, 'compare'>): (version: string) => string {
  const cache = new Map<string, string>();
  return (version) => {
    const cached = cache.get(version);
    if (cached !== undefined) return cached;
    const schema = structuredClone(v1151) as unknown as VpcCniSchema;
    for (const removal of REMOVALS) {
      if (rules.compare(version, removal.before) >= 0) continue;
      const properties = schema.definitions[removal.from]?.properties ?? {};
      for (const key of removal.keys) delete properties[key];
    }
    // definitions that no remaining property references stay: EKS's own schemas carry unused definitions too
    // (v1.15.1 defines InitEnv only for Init), and they do not change what validates.
    const text = JSON.stringify(schema);
    cache.set(version, text);
    return text;
  };
}
