import type { JsonObject, JsonValue } from '../json.js';
import { AWS_NODE_ENV, INIT_ENV, isDefaultEnvValue, MANIFEST_OWNED_ENV, type EnvDefault } from './aws-node-defaults.js';
import { isEksRegistry, parseImage } from './installed-version.js';

/** A custom setting of the DaemonSet and where it goes in `configurationValues`. */
export interface CarriedSetting {
  /** Dotted path in configurationValues: `env.WARM_IP_TARGET`, `init.env.ENABLE_V6_EGRESS`, `resources`, … */
  readonly key: string;
  readonly value: JsonValue;
  /**
   * The DaemonSet field it came from, in the notation of EKS's conflict messages
   * (docs/eks-behaviour.md#conflict-resolution).
   */
  readonly from: string;
}

/** A setting the managed add-on cannot take over, and why. */
export interface UntranslatableSetting {
  readonly field: string;
  readonly reason: string;
}

/** What a self-managed install becomes as a managed add-on. */
export interface Translation {
  readonly configuration: JsonObject;
  /** The IRSA role from the ServiceAccount annotation `eks.amazonaws.com/role-arn`. */
  readonly serviceAccountRoleArn: string | null;
  readonly carried: readonly CarriedSetting[];
  readonly untranslatable: readonly UntranslatableSetting[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objAt = (v: unknown, key: string): Obj | undefined => (isObj(v) && isObj(v[key]) ? v[key] : undefined);
const listAt = (v: unknown, key: string): Obj[] => (isObj(v) && Array.isArray(v[key]) ? (v[key] as unknown[]).filter(isObj) : []);
const asJson = (v: unknown): JsonValue => JSON.parse(JSON.stringify(v ?? null)) as JsonValue;

const POD = '.spec.template.spec';
const AWS_NODE = 'aws-node';
const INIT = 'aws-vpc-cni-init';
const NODE_AGENT = 'aws-eks-nodeagent';
/** hostPath volumes of the stock manifest (config/master/aws-k8s-cni.yaml). */
const STOCK_VOLUMES = new Set(['bpf-pin-path', 'cni-bin-dir', 'cni-net-dir', 'log-dir', 'run-dir', 'xtables-lock']);
/**
 * Pod-spec fields of the stock manifest, with the values it (or the API server's defaulting) gives them; any
 * other value, and any other field, is a customisation with no add-on configuration key.
 */
const STOCK_POD_FIELDS: Readonly<Record<string, readonly JsonValue[] | 'handled'>> = {
  containers: 'handled',
  initContainers: 'handled',
  volumes: 'handled',
  tolerations: 'handled',
  affinity: 'handled',
  priorityClassName: ['system-node-critical'],
  serviceAccountName: ['aws-node'],
  serviceAccount: ['aws-node'],
  hostNetwork: [true],
  dnsPolicy: ['ClusterFirst', 'ClusterFirstWithHostNet'],
  restartPolicy: ['Always'],
  schedulerName: ['default-scheduler'],
  terminationGracePeriodSeconds: [10, 30],
  securityContext: [{}],
};
const STOCK_RESOURCES = { requests: { cpu: '25m' } };
const STOCK_TOLERATIONS = [{ operator: 'Exists' }];
// K8s defaults a probe's timeoutSeconds to 1; the manifest sets 10 from v1.12 on. Either is stock.
const STOCK_PROBE_TIMEOUTS = new Set([1, 10]);
// The network policy agent's flags that have configurationValues keys (enableNetworkPolicy, nodeAgent.*:
// docs/vpc-cni-settings.md#the-configuration-schema).
const NODE_AGENT_FLAGS: Readonly<Record<string, { key: string; stock: string }>> = {
  '--enable-network-policy': { key: 'enableNetworkPolicy', stock: 'false' },
  '--enable-cloudwatch-logs': { key: 'nodeAgent.enableCloudWatchLogs', stock: 'false' },
  '--enable-policy-event-logs': { key: 'nodeAgent.enablePolicyEventLogs', stock: 'false' },
};
// Annotations written by tools, not settings.
const TOOL_ANNOTATION = /^(kubectl\.kubernetes\.io\/|meta\.helm\.sh\/|deprecated\.daemonset\.template\.generation$)/;
const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, value: unknown) => (isObj(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value));
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** The stock node affinity: linux, amd64/arm64, and not on Fargate (later also not hybrid/auto). */
function isStockAffinity(affinity: unknown): boolean {
  if (affinity === undefined || affinity === null) return true;
  const terms = listAt(objAt(objAt(affinity, 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
  if (!isObj(affinity) || Object.keys(affinity).some((k) => k !== 'nodeAffinity')) return false;
  if (Object.keys(objAt(affinity, 'nodeAffinity') ?? {}).some((k) => k !== 'requiredDuringSchedulingIgnoredDuringExecution')) return false;
  if (terms.length !== 1) return false;
  return listAt(terms[0], 'matchExpressions').every((e) => {
    const values = Array.isArray(e.values) ? (e.values as unknown[]).map(String).sort() : [];
    if (e.key === 'kubernetes.io/os') return e.operator === 'In' && same(values, ['linux']);
    if (e.key === 'kubernetes.io/arch' || e.key === 'beta.kubernetes.io/arch') return e.operator === 'In' && values.every((v) => v === 'amd64' || v === 'arm64');
    if (e.key === 'eks.amazonaws.com/compute-type') return e.operator === 'NotIn' && values.includes('fargate') && values.every((v) => ['fargate', 'hybrid', 'auto'].includes(v));
    return false;
  });
}

/** Sets `a.b.c` in a nested object. */
function setPath(target: Obj, key: string, value: JsonValue): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] = isObj(node[part]) ? node[part] : {}) as Obj;
  node[parts.at(-1)!] = value;
}

/**
 * The `configurationValues` object of a set of carried settings, keys sorted for a stable text.
 *
 * @example
 * configurationOf([{ key: 'env.WARM_IP_TARGET', value: '3', from: '…' }]) // { env: { WARM_IP_TARGET: '3' } }
 */
export function configurationOf(carried: readonly CarriedSetting[]): JsonObject {
  const config: Obj = {};
  for (const setting of [...carried].sort((a, b) => a.key.localeCompare(b.key))) setPath(config, setting.key, setting.value);
  return config as JsonObject;
}

interface EnvContext {
  readonly container: string;
  readonly table: Readonly<Record<string, EnvDefault>>;
  readonly keyPrefix: string;
  readonly version: string;
  readonly clusterName: string;
}

function translateEnv(container: Obj, ctx: EnvContext, carried: CarriedSetting[], untranslatable: UntranslatableSetting[]): void {
  for (const entry of listAt(container, 'env')) {
    const name = String(entry.name ?? '');
    const from = `${POD}.${ctx.container === INIT ? 'initContainers' : 'containers'}[name="${ctx.container}"].env[name="${name}"]`;
    if (MANIFEST_OWNED_ENV.has(name)) continue;
    if (entry.valueFrom !== undefined) {
      untranslatable.push({ field: from, reason: 'takes its value from valueFrom; configurationValues env holds literal strings only' });
      continue;
    }
    const value = typeof entry.value === 'string' ? entry.value : '';
    // The manifest names the cluster itself; the add-on does the same (CLUSTER_NAME:
    // docs/vpc-cni-settings.md#aws-node-environment-variables).
    if (name === 'CLUSTER_NAME' && value === ctx.clusterName) continue;
    if (isDefaultEnvValue(ctx.table, name, value, ctx.version)) continue;
    carried.push({ key: `${ctx.keyPrefix}.${name}`, value, from });
  }
  for (const entry of listAt(container, 'envFrom'))
    untranslatable.push({ field: `${POD}.containers[name="${ctx.container}"].envFrom`, reason: `reads env from ${canonical(entry)}; configurationValues env holds literal strings only` });
}

/**
 * Translates a self-managed aws-node DaemonSet (and its ServiceAccount) into the managed add-on's
 * `configurationValues` and `serviceAccountRoleArn`: env of `aws-node` and `aws-vpc-cni-init` that differs from the
 * defaults of the installed version (docs/vpc-cni-settings.md#aws-node-environment-variables), resources, tolerations,
 * affinity, probe timeouts and network policy flags that differ from the stock manifest; the IRSA role annotation.
 * Everything else that differs from the stock manifest (sidecars, extra volumes, a mirrored image, node selectors,
 * valueFrom env, …) is listed as untranslatable. Whether a build's schema accepts the carried keys is checked later
 * (fit-to-schema.ts).
 *
 * @example
 * translateSelfManaged(daemonSet, serviceAccount, { clusterName: 'c1', version: 'v1.15.1' }).carried
 * // [{ key: 'env.WARM_IP_TARGET', value: '3', from: '.spec.template.spec.containers[name="aws-node"].env[name="WARM_IP_TARGET"]' }]
 */
export function translateSelfManaged(daemonSet: JsonObject, serviceAccount: JsonObject | undefined, context: { clusterName: string; version: string }): Translation {
  const carried: CarriedSetting[] = [];
  const untranslatable: UntranslatableSetting[] = [];
  const pod = objAt(objAt(objAt(daemonSet, 'spec'), 'template'), 'spec') ?? {};
  const { version, clusterName } = context;

  for (const container of listAt(pod, 'containers')) {
    const name = String(container.name ?? '');
    const at = `${POD}.containers[name="${name}"]`;
    if (name === AWS_NODE) {
      const image = parseImage(String(container.image ?? ''));
      if (!isEksRegistry(image.registry))
        untranslatable.push({ field: `${at}.image`, reason: `pulled from ${image.registry || 'Docker Hub'}; the managed add-on always pulls EKS's image from EKS's registry` });
      translateEnv(container, { container: name, table: AWS_NODE_ENV, keyPrefix: 'env', version, clusterName }, carried, untranslatable);
      const resources = container.resources ?? {};
      if (!same(resources, STOCK_RESOURCES) && !same(resources, {})) {
        const kinds = isObj(resources) ? Object.keys(resources) : [];
        const unsupported = kinds.filter((k) => k !== 'requests' && k !== 'limits');
        const extraKeys = ['requests', 'limits'].flatMap((k) => Object.keys(objAt(resources, k) ?? {}).filter((r) => r !== 'cpu' && r !== 'memory').map((r) => `${k}.${r}`));
        if (unsupported.length || extraKeys.length)
          untranslatable.push({ field: `${at}.resources`, reason: `${[...unsupported, ...extraKeys].join(', ')}: the add-on configures only cpu and memory requests/limits` });
        const kept = Object.fromEntries(['requests', 'limits'].filter((k) => objAt(resources, k)).map((k) => [k, Object.fromEntries(Object.entries(objAt(resources, k) ?? {}).filter(([r]) => r === 'cpu' || r === 'memory'))]));
        carried.push({ key: 'resources', value: asJson(kept), from: `${at}.resources` });
      }
      for (const [probe, key] of [['livenessProbe', 'livenessProbeTimeoutSeconds'], ['readinessProbe', 'readinessProbeTimeoutSeconds']] as const) {
        const timeout = objAt(container, probe)?.timeoutSeconds;
        if (typeof timeout === 'number' && !STOCK_PROBE_TIMEOUTS.has(timeout)) carried.push({ key, value: timeout, from: `${at}.${probe}.timeoutSeconds` });
      }
      for (const field of ['command', 'args'] as const)
        if (container[field] !== undefined) untranslatable.push({ field: `${at}.${field}`, reason: 'the add-on runs its own entrypoint' });
      const mounts = listAt(container, 'volumeMounts').filter((m) => !STOCK_VOLUMES.has(String(m.name)));
      for (const mount of mounts) untranslatable.push({ field: `${at}.volumeMounts[name="${String(mount.name)}"]`, reason: 'the add-on mounts only its own volumes' });
    } else if (name === NODE_AGENT) {
      for (const arg of Array.isArray(container.args) ? (container.args as unknown[]).map(String) : []) {
        const [flag = '', value = 'true'] = arg.split('=');
        const known = NODE_AGENT_FLAGS[flag];
        if (known && value !== known.stock) carried.push({ key: known.key, value, from: `${at}.args[${flag}]` });
      }
    } else {
      untranslatable.push({ field: at, reason: 'an extra container; the add-on runs only aws-node and its network policy agent' });
    }
  }
  for (const container of listAt(pod, 'initContainers')) {
    const name = String(container.name ?? '');
    if (name === INIT) translateEnv(container, { container: name, table: INIT_ENV, keyPrefix: 'init.env', version, clusterName }, carried, untranslatable);
    else untranslatable.push({ field: `${POD}.initContainers[name="${name}"]`, reason: 'an extra init container; the add-on runs only aws-vpc-cni-init' });
  }
  for (const volume of listAt(pod, 'volumes'))
    if (!STOCK_VOLUMES.has(String(volume.name))) untranslatable.push({ field: `${POD}.volumes[name="${String(volume.name)}"]`, reason: 'the add-on has no configuration key for extra volumes' });
  if (pod.tolerations !== undefined && !same(pod.tolerations, STOCK_TOLERATIONS)) carried.push({ key: 'tolerations', value: asJson(pod.tolerations), from: `${POD}.tolerations` });
  if (!isStockAffinity(pod.affinity)) carried.push({ key: 'affinity', value: asJson(pod.affinity), from: `${POD}.affinity` });
  for (const [field, value] of Object.entries(pod)) {
    const stock = STOCK_POD_FIELDS[field];
    if (stock === 'handled') continue;
    if (!stock) untranslatable.push({ field: `${POD}.${field}`, reason: 'the add-on has no configuration key for it' });
    else if (!stock.some((s) => same(s, value))) untranslatable.push({ field: `${POD}.${field}`, reason: `is ${canonical(value)}; the add-on sets ${canonical(stock[0])}` });
  }
  const strategy = objAt(daemonSet, 'spec')?.updateStrategy;
  const rolling = objAt(strategy, 'rollingUpdate');
  if (strategy !== undefined && (objAt(daemonSet, 'spec')?.updateStrategy as Obj | undefined)?.type !== 'RollingUpdate')
    untranslatable.push({ field: '.spec.updateStrategy', reason: 'the add-on rolls aws-node out with RollingUpdate' });
  else if (rolling && rolling.maxUnavailable !== undefined && rolling.maxUnavailable !== '10%')
    untranslatable.push({ field: '.spec.updateStrategy.rollingUpdate.maxUnavailable', reason: `is ${String(rolling.maxUnavailable)}; the add-on uses 10%` });

  const annotations = objAt(objAt(serviceAccount, 'metadata'), 'annotations') ?? {};
  const role = typeof annotations[ROLE_ANNOTATION] === 'string' ? (annotations[ROLE_ANNOTATION] as string) : null;
  for (const key of Object.keys(annotations))
    if (key !== ROLE_ANNOTATION && !TOOL_ANNOTATION.test(key))
      untranslatable.push({ field: `ServiceAccount aws-node .metadata.annotations["${key}"]`, reason: 'the add-on manages its ServiceAccount; only the IRSA role carries over (serviceAccountRoleArn)' });

  return { configuration: configurationOf(carried), serviceAccountRoleArn: role, carried, untranslatable };
}
