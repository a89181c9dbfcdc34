import type { JsonObject, JsonValue } from '../json.js';
import { installedVersion } from './installed-version.js';

/** What the DaemonSet must show once the managed add-on took it over. */
export interface MigrationExpectation {
  /** The build the add-on was created at. */
  readonly version: string;
  readonly carried: readonly { readonly key: string; readonly value: unknown }[];
  readonly serviceAccountRoleArn: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as unknown[]).filter(isObj) : []);
const canonical = (v: unknown): string =>
  JSON.stringify(v ?? null, (_k, value: unknown) => (isObj(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) : value));

const podSpec = (daemonSet: JsonObject): Obj => {
  const template = isObj(daemonSet.spec) ? daemonSet.spec.template : undefined;
  return isObj(template) && isObj(template.spec) ? template.spec : {};
};

const envOf = (containers: unknown, name: string): Map<string, string> => {
  const container = list(containers).find((c) => c.name === name);
  return new Map(list(container?.env).filter((e) => typeof e.value === 'string').map((e) => [String(e.name), String(e.value)]));
};

/**
 * Compares the aws-node DaemonSet and ServiceAccount read back after CreateAddon with what the migration carried
 * over: the image at the created build, every carried env value of aws-node and aws-vpc-cni-init, resources,
 * tolerations, affinity, and the IRSA annotation. An OVERWRITE create resets anything not sent in
 * configurationValues to the build's defaults (docs/eks-behaviour.md#conflict-resolution), so a setting the translation
 * forgot shows up here.
 *
 * @example
 * daemonSetDifferences(daemonSet, serviceAccount, { version: 'v1.15.1-eksbuild.1', carried, serviceAccountRoleArn: null })
 * // ['env WARM_IP_TARGET is absent, expected "3"']
 */
export function daemonSetDifferences(daemonSet: JsonObject | undefined, serviceAccount: JsonObject | undefined, expected: MigrationExpectation): string[] {
  if (!daemonSet) return ['the aws-node DaemonSet is gone'];
  const differences: string[] = [];
  const pod = podSpec(daemonSet);
  const awsNode = list(pod.containers).find((c) => c.name === 'aws-node');
  const running = installedVersion(typeof awsNode?.image === 'string' ? awsNode.image : '');
  if (running !== expected.version) differences.push(`aws-node runs ${running ?? 'an unknown image'}, expected ${expected.version}`);
  const env = envOf(pod.containers, 'aws-node');
  const initEnv = envOf(pod.initContainers, 'aws-vpc-cni-init');
  for (const setting of expected.carried) {
    const [where, name] = setting.key.startsWith('init.env.') ? [initEnv, setting.key.slice('init.env.'.length)] : setting.key.startsWith('env.') ? [env, setting.key.slice(4)] : [undefined, ''];
    if (where) {
      const actual = where.get(name);
      const label = `${setting.key.startsWith('init.') ? 'init env' : 'env'} ${name}`;
      if (actual === undefined) differences.push(`${label} is absent, expected "${String(setting.value)}"`);
      else if (actual !== setting.value) differences.push(`${label} is "${actual}", expected "${String(setting.value)}"`);
      continue;
    }
    const actual: JsonValue | unknown =
      setting.key === 'resources' ? awsNode?.resources : setting.key === 'tolerations' ? pod.tolerations : setting.key === 'affinity' ? pod.affinity : undefined;
    if ((setting.key === 'resources' || setting.key === 'tolerations' || setting.key === 'affinity') && canonical(actual) !== canonical(setting.value))
      differences.push(`${setting.key} is ${canonical(actual)}, expected ${canonical(setting.value)}`);
  }
  const annotations = isObj(serviceAccount?.metadata) && isObj(serviceAccount.metadata.annotations) ? serviceAccount.metadata.annotations : {};
  const role = typeof annotations['eks.amazonaws.com/role-arn'] === 'string' ? annotations['eks.amazonaws.com/role-arn'] : null;
  if (role !== expected.serviceAccountRoleArn) differences.push(`ServiceAccount role is ${role ?? '(none)'}, expected ${expected.serviceAccountRoleArn ?? '(none)'}`);
  return differences;
}
