import { describe, expect, it } from 'vitest';
import { installedVersion } from '../../lib/migration/installed-version.js';
import { archiveManifest, restoreManifest } from '../../lib/migration/manifest-archive.js';
import { fitToSchemas } from '../../lib/migration/fit-to-schema.js';
import { translateSelfManaged } from '../../lib/migration/translate-settings.js';
import type { JsonObject } from '../../lib/json.js';
import { configurationSchemaFor } from '../../sim/configuration-schemas.js';

const ECR = '602401143452.dkr.ecr.us-west-2.amazonaws.com';

interface Custom {
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  initEnv?: { name: string; value: string }[];
  resources?: unknown;
  pod?: Record<string, unknown>;
  containers?: unknown[];
  image?: string;
  annotations?: Record<string, string>;
}

/** The stock v1.15.1 manifest's DaemonSet (config/master/aws-k8s-cni.yaml shape), with `custom` applied. */
function daemonSet(custom: Custom = {}): JsonObject {
  const stockEnv = [
    { name: 'ADDITIONAL_ENI_TAGS', value: '{}' },
    { name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'false' },
    { name: 'AWS_VPC_K8S_CNI_LOGLEVEL', value: 'DEBUG' },
    { name: 'CLUSTER_NAME', value: 'c1' },
    { name: 'VPC_ID', value: 'vpc-0123' },
    { name: 'WARM_ENI_TARGET', value: '1' },
    { name: 'WARM_PREFIX_TARGET', value: '1' },
    { name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
  ];
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'aws-node', namespace: 'kube-system', managedFields: [{ manager: 'kubectl' }] },
    spec: {
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        spec: {
          priorityClassName: 'system-node-critical',
          serviceAccountName: 'aws-node',
          hostNetwork: true,
          initContainers: [{ name: 'aws-vpc-cni-init', image: `${ECR}/amazon-k8s-cni-init:v1.15.1`, env: [{ name: 'DISABLE_TCP_EARLY_DEMUX', value: 'false' }, ...(custom.initEnv ?? [])] }],
          containers: [
            {
              name: 'aws-node',
              image: custom.image ?? `${ECR}/amazon-k8s-cni:v1.15.1`,
              env: [...stockEnv.filter((e) => !custom.env?.some((c) => c.name === e.name)), ...(custom.env ?? [])],
              resources: custom.resources ?? { requests: { cpu: '25m' } },
              livenessProbe: { timeoutSeconds: 10 },
              volumeMounts: [{ name: 'cni-bin-dir', mountPath: '/host/opt/cni/bin' }],
            },
            { name: 'aws-eks-nodeagent', args: ['--enable-network-policy=false', '--enable-cloudwatch-logs=false'] },
            ...(custom.containers ?? []),
          ],
          tolerations: [{ operator: 'Exists' }],
          volumes: [{ name: 'cni-bin-dir', hostPath: { path: '/opt/cni/bin' } }],
          ...custom.pod,
        },
      },
    },
    status: { numberReady: 3 },
  };
  return JSON.parse(JSON.stringify(manifest)) as JsonObject;
}
const serviceAccount = (annotations: Record<string, string> = {}): JsonObject => ({ kind: 'ServiceAccount', metadata: { name: 'aws-node', annotations } });
const translate = (ds: JsonObject, sa: JsonObject = serviceAccount()) => translateSelfManaged(ds, sa, { clusterName: 'c1', version: 'v1.15.1' });
const AT = '.spec.template.spec';

describe('translateSelfManaged', () => {
  it('carries nothing from a stock DaemonSet', () => {
    // Act
    const result = translate(daemonSet());
    // Assess
    expect(result).toEqual({ configuration: {}, serviceAccountRoleArn: null, carried: [], untranslatable: [] });
  });

  it.each<[string, Custom, Record<string, unknown>]>([
    ['an env var without a default', { env: [{ name: 'WARM_IP_TARGET', value: '3' }] }, { env: { WARM_IP_TARGET: '3' } }],
    ['an env var that differs from its default', { env: [{ name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'true' }] }, { env: { AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true' } }],
    ['a default spelled otherwise (ParseBool)', { env: [{ name: 'AWS_VPC_K8S_CNI_EXTERNALSNAT', value: 'False' }] }, {}],
    ['the default value written out', { env: [{ name: 'AWS_VPC_K8S_CNI_LOGLEVEL', value: 'DEBUG' }] }, {}],
    ['an init container env var', { initEnv: [{ name: 'ENABLE_V6_EGRESS', value: 'true' }] }, { init: { env: { ENABLE_V6_EGRESS: 'true' } } }],
    ['resources', { resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } } }, { resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } } }],
    ['tolerations', { pod: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'net', effect: 'NoSchedule' }] } }, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'net', effect: 'NoSchedule' }] }],
  ])('translates %s', (_what, custom, configuration) => {
    // Act
    const result = translate(daemonSet(custom));
    // Assess
    expect(result.configuration).toEqual(configuration);
    expect(result.untranslatable).toEqual([]);
  });

  it.each<[string, Custom, string]>([
    ['an env var from valueFrom', { env: [{ name: 'AWS_VPC_K8S_CNI_LOGLEVEL', valueFrom: { configMapKeyRef: { name: 'cni', key: 'level' } } }] }, `${AT}.containers[name="aws-node"].env[name="AWS_VPC_K8S_CNI_LOGLEVEL"]`],
    ['a sidecar', { containers: [{ name: 'log-shipper', image: 'fluent-bit' }] }, `${AT}.containers[name="log-shipper"]`],
    ['an extra volume', { pod: { volumes: [{ name: 'cni-bin-dir', hostPath: { path: '/opt/cni/bin' } }, { name: 'certs', hostPath: { path: '/etc/certs' } }] } }, `${AT}.volumes[name="certs"]`],
    ['a node selector', { pod: { nodeSelector: { pool: 'net' } } }, `${AT}.nodeSelector`],
    ['a priority class of its own', { pod: { priorityClassName: 'cni-critical' } }, `${AT}.priorityClassName`],
    ['a mirrored image', { image: 'registry.example.com/mirror/amazon-k8s-cni:v1.15.1' }, `${AT}.containers[name="aws-node"].image`],
    ['ephemeral-storage requests', { resources: { requests: { cpu: '25m', 'ephemeral-storage': '1Gi' } } }, `${AT}.containers[name="aws-node"].resources`],
  ])('lists %s as untranslatable', (_what, custom, field) => {
    // Act
    const result = translate(daemonSet(custom));
    // Assess
    expect(result.untranslatable.map((u) => u.field)).toContain(field);
  });

  it('takes the IRSA role from the ServiceAccount and lists other EKS annotations as untranslatable', () => {
    // Prepare
    const sa = serviceAccount({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/Cni',
      'eks.amazonaws.com/sts-regional-endpoints': 'true',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
    });
    // Act
    const result = translate(daemonSet(), sa);
    // Assess
    expect(result.serviceAccountRoleArn).toBe('arn:aws:iam::111122223333:role/Cni');
    expect(result.untranslatable.map((u) => u.field)).toEqual(['ServiceAccount aws-node .metadata.annotations["eks.amazonaws.com/sts-regional-endpoints"]']);
  });

  it('carries the network policy agent flags as configuration keys', () => {
    // Prepare
    const ds = daemonSet();
    const containers = (ds as { spec: { template: { spec: { containers: { name: string; args?: string[] }[] } } } }).spec.template.spec.containers;
    containers[1]!.args = ['--enable-network-policy=true', '--enable-cloudwatch-logs=false'];
    // Act
    const result = translate(ds);
    // Assess
    expect(result.configuration).toEqual({ enableNetworkPolicy: 'true' });
  });
});

describe('fitToSchemas', () => {
  it('keeps what every build on the path accepts and moves the rest to untranslatable, naming the build', () => {
    // Prepare
    const translation = translate(daemonSet({ env: [{ name: 'WARM_IP_TARGET', value: '3' }, { name: 'POD_MTU', value: '8500' }, { name: 'ENABLE_V4_EGRESS', value: 'false' }] }));
    const path = ['v1.14.1-eksbuild.1', 'v1.15.5-eksbuild.1'].map((version) => ({ version, schema: configurationSchemaFor(version) }));
    // Act
    const fitted = fitToSchemas(translation, path);
    // Assess
    expect(fitted.configurationValues).toBe('{"env":{"WARM_IP_TARGET":"3"}}');
    expect(fitted.untranslatable.map((u) => [u.field, u.reason.split("'")[0]])).toEqual([
      [`${AT}.containers[name="aws-node"].env[name="ENABLE_V4_EGRESS"]`, 'v1.14.1-eksbuild.1'],
      [`${AT}.containers[name="aws-node"].env[name="POD_MTU"]`, 'v1.14.1-eksbuild.1'],
    ]);
    expect(fitted.untranslatable[1]!.reason).toContain('$.env.POD_MTU: is not defined in the schema');
  });

  it('sends no configurationValues when nothing is carried', () => {
    // Act
    const fitted = fitToSchemas(translate(daemonSet()), [{ version: 'v1.15.5-eksbuild.1', schema: configurationSchemaFor('v1.15.5-eksbuild.1') }]);
    // Assess
    expect(fitted.configurationValues).toBeNull();
  });
});

describe('installedVersion and the manifest archive', () => {
  it.each([
    ['602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.12.6-eksbuild.2', 'v1.12.6-eksbuild.2'],
    ['registry.example.com:5000/mirror/amazon-k8s-cni:v1.15.1', 'v1.15.1'],
    ['602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni@sha256:abc', undefined],
    ['amazon-k8s-cni:latest', undefined],
  ])('reads %s as %s', (image, version) => {
    // Act / Assess
    expect(installedVersion(image)).toBe(version);
  });

  it('stores the manifest without managedFields and status, compressed when large, and restores it', () => {
    // Prepare
    const big = daemonSet({ pod: { hostAliases: Array.from({ length: 3000 }, (_, i) => ({ ip: `10.1.${i % 250}.${i % 200}`, hostnames: [`host-${i}.example.internal`] })) } });
    // Act
    const small = archiveManifest(daemonSet());
    const archived = archiveManifest(big);
    // Assess
    expect(small.encoding).toBe('json');
    expect(Object.keys(restoreManifest(small))).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect((restoreManifest(small).metadata as Record<string, unknown>).managedFields).toBeUndefined();
    expect(archived.encoding).toBe('gzip+base64');
    expect(JSON.stringify(archived).length).toBeLessThan(100_000);
    expect(restoreManifest(archived).spec).toEqual(big.spec);
  });
});
