import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateConfigurationValues } from '../../lib/addon/configuration-schema.js';
import { compareVersions, minorIndex } from '../../lib/versions/compare-versions.js';
import { loadCatalogue } from '../../sim/catalogue/catalogue.js';
import { checkConfiguration } from '../../sim/configuration-check.js';
import { configurationSchemaFor } from '../../sim/configuration-schemas.js';
import { byVersion, withinOneMinor } from '../../sim/versions.js';
import { AWS_NODE_ENV, INIT_ENV, manifestEnv } from '../../lib/migration/aws-node-defaults.js';
import { stockAwsNodeEnv, stockInitEnv } from '../../sim/kubernetes/stock-env.js';

// The simulator enforces EKS's rules with its own code (sim/versions.ts, sim/configuration-check.ts), so that the
// product's rules (lib/versions, lib/addon) are tested against an independent judge. These tests prove the two
// agree wherever the product relies on them: every pair of builds, every build's schema, the catalogue's order.

const catalogue = loadCatalogue();
const builds = catalogue.builds.map((b) => b.version);

describe('the simulator and the product agree, each with its own code', () => {
  it('on the one-minor rule for every pair of catalogue builds', () => {
    // Prepare
    const disagreements: string[] = [];
    // Act
    for (const from of builds)
      for (const to of builds) {
        const product = Math.abs(minorIndex(from) - minorIndex(to)) <= 1;
        if (product !== withinOneMinor(from, to)) disagreements.push(`${from} → ${to}`);
      }
    // Assess
    expect(builds.length).toBeGreaterThan(100);
    expect(disagreements).toEqual([]);
  });

  it('on the order of the catalogue, and of every pair of versions', () => {
    // Prepare
    const shuffled = [...builds].reverse();
    // Act
    const byProduct = [...shuffled].sort(compareVersions);
    const bySimulator = [...shuffled].sort(byVersion);
    const pairs = builds.flatMap((a) => builds.map((b) => [a, b] as const)).filter(([a, b]) => Math.sign(compareVersions(a, b)) !== Math.sign(byVersion(a, b)));
    // Assess
    expect(bySimulator).toEqual(byProduct);
    expect(pairs).toEqual([]);
  });

  const corpus: readonly string[] = [
    '',
    '{}',
    '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true"},"enableNetworkPolicy":"true"}',
    'env:\n  WARM_IP_TARGET: "5"\n  MINIMUM_IP_TARGET: "10"\n',
    '{"env":{"ENABLE_V4_EGRESS":"false"}}',
    '{"env":{"POD_SECURITY_GROUP_ENFORCING_MODE":"standard","ENABLE_POD_ENI":"true"}}',
    '{"env":{"POD_MTU":"9001"}}',
    '{"nodeAgent":{"enablePolicyEventLogs":"true"}}',
    '{"enableNetworkPolicy":"true"}',
    '{"env":{"WARM_IP_TARGET":5}}',
    'env:\n  ENABLE_PREFIX_DELEGATION: true\n',
    '{"env":{"ENABLE_PREFIX_DELEGATION":"yes"}}',
    '{"env":{"ENABLE_PREFIX_DELEGATION":"TRUE"}}',
    '{"env":{"WARM_ENI_TARGET":"+2"}}',
    '{"env":{"WARM_ENI_TARGET":"two"}}',
    '{"eniConfig":{"create":true}}',
    '{"eniConfig":{"create":true,"region":"us-east-1","subnets":{}}}',
    '{"eniConfig":{"create":true,"region":"us-east-1","subnets":{"us-east-1a":{"id":"subnet-1"}}}}',
    '{"init":{"env":{"DISABLE_TCP_EARLY_DEMUX":"true"}}}',
    '{"init":{"env":{"WARM_IP_TARGET":"1"}}}',
    '{"resources":{"requests":{"cpu":"25m"},"limits":{"memory":"128Mi"}}}',
    '{"tolerations":[{"operator":"Exists"}]}',
    '{"affinity":null}',
    '"just text"',
    '[1,2]',
    'imagePullPolicy: Always',
    'env: [unclosed',
    '{"env":{"WARM_IP_TARGET":"3"},"env":{"WARM_IP_TARGET":"4"}}',
  ];

  it('on every corpus configuration against every build schema (accepted or refused, and where)', () => {
    // Prepare
    const schemas = [...new Set(builds.map(configurationSchemaFor))];
    const disagreements: string[] = [];
    // Act
    for (const schema of schemas)
      for (const text of corpus) {
        const product = validateConfigurationValues(schema, text);
        const simulator = checkConfiguration(schema, text);
        const productPaths = product.ok ? [] : product.problems.map((p) => p.path).sort();
        const simulatorPaths = simulator.accepted ? [] : simulator.reasons.map((r) => r.slice(0, r.indexOf(': '))).sort();
        if (product.ok !== simulator.accepted || productPaths.join() !== simulatorPaths.join()) disagreements.push(`${text} (${productPaths} vs ${simulatorPaths})`);
      }
    // Assess
    expect(schemas.length).toBeGreaterThan(2);
    expect(disagreements).toEqual([]);
  });

  it('on generated env settings: known and unknown keys, well- and ill-formed values', () => {
    // Prepare
    const schemaText = configurationSchemaFor('v1.15.1-eksbuild.1');
    const envKeys = Object.keys((JSON.parse(schemaText) as { definitions: { Env: { properties: Record<string, unknown> } } }).definitions.Env.properties);
    const key = fc.oneof(fc.constantFrom(...envKeys), fc.constantFrom('POD_MTU', 'NOT_A_SETTING', 'warm_ip_target'));
    const value = fc.oneof(fc.constantFrom('true', 'false', '1', '0', 'T', 'yes', '', '5', '-3', '+7', 'ten'), fc.integer(), fc.boolean());
    // Act / Assess
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (env) => {
        const text = JSON.stringify({ env });
        expect(checkConfiguration(schemaText, text).accepted).toBe(validateConfigurationValues(schemaText, text).ok);
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('on the env the stock aws-node manifest writes, for every version of the catalogue', () => {
    // Prepare
    const versions = [...new Set(builds.map((b) => b.replace(/-eksbuild\.\d+$/, '')))];
    // Act
    const disagreements = versions.filter(
      (v) => JSON.stringify(manifestEnv(AWS_NODE_ENV, v)) !== JSON.stringify(stockAwsNodeEnv(v)) || JSON.stringify(manifestEnv(INIT_ENV, v)) !== JSON.stringify(stockInitEnv(v)),
    );
    // Assess
    expect(versions.length).toBeGreaterThan(30);
    expect(disagreements).toEqual([]);
  });
});
