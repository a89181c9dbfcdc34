import type { ManifestRules } from '../../lib/kubernetes/aws-node-manifest.js';
import { byVersion, isOlder } from '../versions.js';

/**
 * The environment the stock aws-node DaemonSet sets, as the upstream manifest writes it
 * (aws/amazon-vpc-cni-k8s `config/master/aws-k8s-cni.yaml`; defaults documented in the project's README, "CNI
 * Configuration Variables", https://github.com/aws/amazon-vpc-cni-k8s#cni-configuration-variables), with the
 * upstream version each variable first appeared in. The simulator keeps its own copy, apart from the product's
 * lib/migration defaults, so that a migration which forgets a setting is caught by an independent reading of what
 * the manifest sets (docs/simulator.md).
 */
type StockVariable = readonly [name: string, value: string, since?: string];

const AWS_NODE: readonly StockVariable[] = [
  ['ADDITIONAL_ENI_TAGS', '{}', 'v1.6.0'],
  ['ANNOTATE_POD_IP', 'false', 'v1.9.3'],
  ['AWS_VPC_CNI_NODE_PORT_SUPPORT', 'true'],
  ['AWS_VPC_ENI_MTU', '9001', 'v1.6.0'],
  ['AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG', 'false'],
  ['AWS_VPC_K8S_CNI_EXTERNALSNAT', 'false'],
  ['AWS_VPC_K8S_CNI_LOGLEVEL', 'DEBUG'],
  ['AWS_VPC_K8S_CNI_LOG_FILE', '/host/var/log/aws-routed-eni/ipamd.log'],
  ['AWS_VPC_K8S_CNI_RANDOMIZESNAT', 'prng'],
  ['AWS_VPC_K8S_CNI_VETHPREFIX', 'eni'],
  ['AWS_VPC_K8S_PLUGIN_LOG_FILE', '/var/log/aws-routed-eni/plugin.log'],
  ['AWS_VPC_K8S_PLUGIN_LOG_LEVEL', 'DEBUG'],
  ['DISABLE_INTROSPECTION', 'false'],
  ['DISABLE_METRICS', 'false'],
  ['DISABLE_NETWORK_RESOURCE_PROVISIONING', 'false', 'v1.9.1'],
  ['ENABLE_IPv4', 'true', 'v1.10.0'],
  ['ENABLE_IPv6', 'false', 'v1.10.0'],
  ['ENABLE_POD_ENI', 'false', 'v1.7.0'],
  ['ENABLE_PREFIX_DELEGATION', 'false', 'v1.9.0'],
  ['ENABLE_SUBNET_DISCOVERY', 'true', 'v1.18.0'],
  ['NETWORK_POLICY_ENFORCING_MODE', 'standard', 'v1.17.1'],
  ['WARM_ENI_TARGET', '1'],
  ['WARM_PREFIX_TARGET', '1', 'v1.9.0'],
];

const INIT: readonly StockVariable[] = [
  ['DISABLE_TCP_EARLY_DEMUX', 'false', 'v1.7.3'],
  ['ENABLE_IPv6', 'false', 'v1.10.0'],
];

const at = (table: readonly StockVariable[], version: string): Record<string, string> =>
  Object.fromEntries(table.filter(([, , since]) => since === undefined || !isOlder(version, since)).map(([name, value]) => [name, value]));

/**
 * The `aws-node` container's stock env at `version`.
 *
 * @example
 * stockAwsNodeEnv('v1.15.1').WARM_ENI_TARGET // '1'
 */
export const stockAwsNodeEnv = (version: string): Record<string, string> => at(AWS_NODE, version);

/** The `aws-vpc-cni-init` container's stock env at `version`. */
export const stockInitEnv = (version: string): Record<string, string> => at(INIT, version);

/** How the simulator renders aws-node: by its own reading of versions and of the stock env. */
export const SIMULATOR_MANIFEST_RULES: ManifestRules = { compare: byVersion, stockAwsNodeEnv, stockInitEnv };
