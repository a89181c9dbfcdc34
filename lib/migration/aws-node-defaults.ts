import { compareVersions } from '../versions/compare-versions.js';

/**
 * How an aws-node environment variable is typed (the "Type" column of
 * docs/vpc-cni-settings.md#aws-node-environment-variables).
 */
export type EnvType = 'boolean' | 'integer' | 'string';

/** One variable of the aws-node (or aws-vpc-cni-init) container as the upstream manifest knows it. */
export interface EnvDefault {
  /** The value the stock manifest or the binary uses when the operator did not set one; undefined = none. */
  readonly value: string | undefined;
  readonly type: EnvType;
  /**
   * First upstream version that reads it (the "Since" column of
   * docs/vpc-cni-settings.md#aws-node-environment-variables); undefined = long-standing.
   */
  readonly since?: string;
  /** Set by the stock manifest itself (so a stock DaemonSet carries it). */
  readonly inManifest?: boolean;
}

// docs/vpc-cni-settings.md#aws-node-environment-variables (aws/amazon-vpc-cni-k8s README, "CNI Configuration
// Variables"). `inManifest` marks what the upstream config/master/aws-k8s-cni.yaml writes into the DaemonSet;
// WARM_PREFIX_TARGET "1" and ENABLE_IPv4/ENABLE_IPv6 are written by the manifest although the README gives no (or
// another) default.
const b = (value: string | undefined, since?: string, inManifest = false): EnvDefault => ({ value, type: 'boolean', ...(since ? { since } : {}), inManifest });
const i = (value: string | undefined, since?: string, inManifest = false): EnvDefault => ({ value, type: 'integer', ...(since ? { since } : {}), inManifest });
const s = (value: string | undefined, since?: string, inManifest = false): EnvDefault => ({ value, type: 'string', ...(since ? { since } : {}), inManifest });

/** The aws-node container's variables with their defaults (docs/vpc-cni-settings.md#aws-node-environment-variables). */
export const AWS_NODE_ENV: Readonly<Record<string, EnvDefault>> = {
  ADDITIONAL_ENI_TAGS: s('{}', 'v1.6.0', true),
  ANNOTATE_POD_IP: b('false', 'v1.9.3', true),
  AWS_EC2_ENDPOINT: s('', 'v1.13.0'),
  AWS_EXTERNAL_SERVICE_CIDRS: s('', 'v1.12.6'),
  AWS_MANAGE_ENIS_NON_SCHEDULABLE: b('false', 'v1.12.6'),
  AWS_VPC_CNI_NODE_PORT_SUPPORT: b('true', undefined, true),
  AWS_VPC_ENI_MTU: i('9001', 'v1.6.0', true),
  AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER: b('true'),
  AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: b('false', undefined, true),
  AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: s('', 'v1.6.0'),
  AWS_VPC_K8S_CNI_EXTERNALSNAT: b('false', undefined, true),
  AWS_VPC_K8S_CNI_LOGLEVEL: s('DEBUG', undefined, true),
  AWS_VPC_K8S_CNI_LOG_FILE: s('/host/var/log/aws-routed-eni/ipamd.log', undefined, true),
  AWS_VPC_K8S_CNI_RANDOMIZESNAT: s('prng', undefined, true),
  AWS_VPC_K8S_CNI_VETHPREFIX: s('eni', undefined, true),
  AWS_VPC_K8S_PLUGIN_LOG_FILE: s('/var/log/aws-routed-eni/plugin.log', undefined, true),
  AWS_VPC_K8S_PLUGIN_LOG_LEVEL: s('DEBUG', undefined, true),
  CLUSTER_ENDPOINT: s('', 'v1.12.1'),
  DISABLE_INTROSPECTION: b('false', undefined, true),
  DISABLE_LEAKED_ENI_CLEANUP: b('false', 'v1.13.0'),
  DISABLE_METRICS: b('false', undefined, true),
  DISABLE_NETWORK_RESOURCE_PROVISIONING: b('false', 'v1.9.1', true),
  DISABLE_POD_V6: b('false', 'v1.15.0'),
  DISABLE_TCP_EARLY_DEMUX: b('false', 'v1.7.3'),
  ENABLE_BANDWIDTH_PLUGIN: b('false', 'v1.10.0'),
  ENABLE_IMDS_ONLY_MODE: b('false', 'v1.19.6'),
  ENABLE_IPv4: b('true', 'v1.10.0', true),
  ENABLE_IPv6: b('false', 'v1.10.0', true),
  ENABLE_MULTI_NIC: b('false', 'v1.20.0'),
  ENABLE_NFTABLES: b('false', 'v1.12.1'),
  ENABLE_POD_ENI: b('false', 'v1.7.0', true),
  ENABLE_PREFIX_DELEGATION: b('false', 'v1.9.0', true),
  ENABLE_SUBNET_DISCOVERY: b('true', 'v1.18.0', true),
  ENABLE_V4_EGRESS: b('true', 'v1.15.1'),
  ENABLE_V6_EGRESS: b('false', 'v1.13.0'),
  ENI_CONFIG_ANNOTATION_DEF: s('k8s.amazonaws.com/eniConfig'),
  ENI_CONFIG_LABEL_DEF: s('k8s.amazonaws.com/eniConfig'),
  HOST_CNI_BIN_PATH: s('/host/opt/cni/bin'),
  HOST_CNI_CONFDIR_PATH: s('/host/etc/cni/net.d'),
  INTROSPECTION_BIND_ADDRESS: s('127.0.0.1:61679'),
  IP_COOLDOWN_PERIOD: i('30', 'v1.15.0'),
  MAX_ENI: i(undefined),
  MINIMUM_IP_TARGET: i(undefined, 'v1.6.0'),
  NETWORK_POLICY_ENFORCING_MODE: s('standard', 'v1.17.1', true),
  POD_MTU: i('9001', 'v1.16.4'),
  POD_SECURITY_GROUP_ENFORCING_MODE: s('strict', 'v1.11.0'),
  WARM_ENI_TARGET: i('1', undefined, true),
  WARM_IP_TARGET: i(undefined),
  WARM_PREFIX_TARGET: i('1', 'v1.9.0', true),
  CLUSTER_NAME: s(''),
};

/** The aws-vpc-cni-init container's variables (ENABLE_IPv6 on both; docs/vpc-cni-settings.md#the-init-container). */
export const INIT_ENV: Readonly<Record<string, EnvDefault>> = {
  DISABLE_TCP_EARLY_DEMUX: b('false', 'v1.7.3', true),
  ENABLE_IPv6: b('false', 'v1.10.0', true),
  ENABLE_V6_EGRESS: b('false', 'v1.13.0'),
};

/**
 * Variables the manifest fills in per cluster or per pod; they are the installer's, not the operator's, and the
 * managed add-on writes its own: `MY_NODE_NAME`/`MY_POD_NAME` (downward API), `VPC_ID`, `VPC_CNI_VERSION`, and
 * `CLUSTER_NAME` when it names the cluster itself.
 */
export const MANIFEST_OWNED_ENV: ReadonlySet<string> = new Set(['MY_NODE_NAME', 'MY_POD_NAME', 'VPC_ID', 'VPC_CNI_VERSION']);

const BOOLEAN_TRUE = /^(1|t|true)$/i;
const BOOLEAN_FALSE = /^(0|f|false)$/i;

/**
 * Go's strconv.ParseBool spellings compare as one value (aws-node parses them that way:
 * docs/vpc-cni-settings.md#values-and-their-spellings).
 */
const sameValue = (type: EnvType, a: string, b: string): boolean => {
  if (type === 'boolean') return (BOOLEAN_TRUE.test(a) && BOOLEAN_TRUE.test(b)) || (BOOLEAN_FALSE.test(a) && BOOLEAN_FALSE.test(b)) || a === b;
  if (type === 'integer') return a.trim() === b.trim() || (/^[+-]?\d+$/.test(a) && /^[+-]?\d+$/.test(b) && Number(a) === Number(b));
  return a === b;
};

/**
 * True when `value` is what the variable would be anyway at `version` (its default), so it is not a custom
 * setting. A variable unknown to the table, or without a default, is always custom.
 *
 * @example
 * isDefaultEnvValue(AWS_NODE_ENV, 'WARM_ENI_TARGET', '1', 'v1.15.1') // true
 * isDefaultEnvValue(AWS_NODE_ENV, 'WARM_IP_TARGET', '3', 'v1.15.1') // false
 */
export function isDefaultEnvValue(table: Readonly<Record<string, EnvDefault>>, name: string, value: string, version: string): boolean {
  const known = table[name];
  if (!known || known.value === undefined) return false;
  if (known.since && safeCompare(version, known.since) < 0) return false;
  return sameValue(known.type, value, known.value);
}

/**
 * The variables the stock manifest of `version` writes, with their values, in manifest (alphabetical) order: what
 * the product renders a self-managed install's aws-node from when it has no cluster to read (`plan --fleet`).
 *
 * @example
 * manifestEnv(AWS_NODE_ENV, 'v1.15.1').WARM_ENI_TARGET // '1'
 */
export function manifestEnv(table: Readonly<Record<string, EnvDefault>>, version: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of Object.keys(table).sort()) {
    const known = table[name]!;
    if (!known.inManifest || known.value === undefined) continue;
    if (known.since && safeCompare(version, known.since) < 0) continue;
    env[name] = known.value;
  }
  return env;
}

const safeCompare = (a: string, b: string): number => {
  try {
    return compareVersions(a, b);
  } catch {
    return 0;
  }
};
