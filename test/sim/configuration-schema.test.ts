import { describe, expect, it } from 'vitest';
import {
  formatConfigurationRejection,
  parseConfigurationValues,
  validateConfigurationValues,
} from '../../lib/addon/configuration-schema.js';
import { InvalidConfigurationSchemaError } from '../../lib/errors.js';
import { configurationSchemaFor } from '../../sim/configuration-schemas.js';

const V1151 = configurationSchemaFor('v1.15.1-eksbuild.1');
const UNKNOWN = 'is not defined in the schema and the schema does not allow additional properties';

describe('validateConfigurationValues', () => {
  // [description, valuesText, expected problems ([] = valid)]
  const cases: [string, string, { path: string; message: string }[]][] = [
    ['documented JSON example', '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true"},"enableNetworkPolicy":"true"}', []],
    ['YAML', 'env:\n  WARM_IP_TARGET: "5"\nresources:\n  limits:\n    cpu: 100m\n', []],
    ['empty text', '', []],
    ['reset', '{}', []],
    ['unknown env key', '{"env":{"POD_MTU":"9001"}}', [{ path: '$.env.POD_MTU', message: UNKNOWN }]],
    ['unknown top-level key', 'imagePullPolicy: Always', [{ path: '$.imagePullPolicy', message: UNKNOWN }]],
    ['number where a string is expected', '{"env":{"WARM_IP_TARGET":5}}', [{ path: '$.env.WARM_IP_TARGET', message: 'integer found, string expected' }]],
    ['unquoted YAML boolean', 'env:\n  ENABLE_PREFIX_DELEGATION: true\n', [{ path: '$.env.ENABLE_PREFIX_DELEGATION', message: 'boolean found, string expected' }]],
    [
      'string that is not a boolean',
      '{"env":{"ENABLE_PREFIX_DELEGATION":"yes"}}',
      [{ path: '$.env.ENABLE_PREFIX_DELEGATION', message: expect.stringMatching(/^does not match the boolean pattern/) }],
    ],
    ['missing required eniConfig members', '{"eniConfig":{"create":true}}', [
      { path: '$.eniConfig.region', message: 'is missing but it is required' },
      { path: '$.eniConfig.subnets', message: 'is missing but it is required' },
    ]],
    ['not an object', '"just text"', [{ path: '$', message: 'string found, object expected' }]],
    ['broken YAML', 'env: [unclosed', [{ path: '$', message: expect.stringMatching(/^is not valid JSON or YAML: /) }]],
  ];

  it.each(cases)('%s', (_name, valuesText, problems) => {
    // Act
    const result = validateConfigurationValues(V1151, valuesText);
    // Assess
    expect(result).toEqual(problems.length === 0 ? { ok: true } : { ok: false, problems });
  });

  it('follows the schema it is given: ENABLE_V4_EGRESS is refused by v1.14 and accepted by v1.15.1', () => {
    // Prepare
    const values = '{"env":{"ENABLE_V4_EGRESS":"false"}}';
    // Act
    const old = validateConfigurationValues(configurationSchemaFor('v1.14.1-eksbuild.1'), values);
    const current = validateConfigurationValues(V1151, values);
    // Assess
    expect(old).toEqual({ ok: false, problems: [{ path: '$.env.ENABLE_V4_EGRESS', message: UNKNOWN }] });
    expect(current).toEqual({ ok: true });
  });

  it('throws InvalidConfigurationSchemaError for a schema that is not JSON', () => {
    // Act / Assess
    expect(() => validateConfigurationValues('not json', '{}')).toThrow(InvalidConfigurationSchemaError);
  });
});

describe('formatConfigurationRejection', () => {
  it('produces the EKS message', () => {
    // Act
    const message = formatConfigurationRejection([{ path: '$.env.POD_SECURITY_GROUP_ENFORCING_MODE', message: UNKNOWN }]);
    // Assess
    expect(message).toBe(
      'ConfigurationValue provided in request is not supported [$.env.POD_SECURITY_GROUP_ENFORCING_MODE: is not defined in the schema and the schema does not allow additional properties]',
    );
  });

  it('lists several problems inside one pair of brackets', () => {
    // Act
    const message = formatConfigurationRejection([
      { path: '$.a', message: 'x' },
      { path: '$.b', message: 'y' },
    ]);
    // Assess
    expect(message).toBe('ConfigurationValue provided in request is not supported [$.a: x, $.b: y]');
  });
});

describe('configurationSchemaFor (approximation of per-build schemas)', () => {
  it.each([
    // [build, has ENABLE_V4_EGRESS, has nodeAgent, has POD_SECURITY_GROUP_ENFORCING_MODE]
    ['v1.20.1-eksbuild.1', true, true, true],
    ['v1.15.1-eksbuild.1', true, true, true],
    ['v1.15.0-eksbuild.2', false, true, true],
    ['v1.14.0-eksbuild.3', false, true, true],
    ['v1.13.4-eksbuild.1', false, false, true],
    ['v1.12.2-eksbuild.1', false, false, false],
  ] as const)('%s', (build, v4Egress, nodeAgent, sgpMode) => {
    // Act
    const schema = JSON.parse(configurationSchemaFor(build));
    // Assess
    expect('ENABLE_V4_EGRESS' in schema.definitions.Env.properties).toBe(v4Egress);
    expect('nodeAgent' in schema.definitions.VpcCni.properties).toBe(nodeAgent);
    expect('POD_SECURITY_GROUP_ENFORCING_MODE' in schema.definitions.Env.properties).toBe(sgpMode);
  });
});

describe('parseConfigurationValues', () => {
  it('reads JSON and YAML to the same value', () => {
    // Act
    const json = parseConfigurationValues('{"env":{"WARM_IP_TARGET":"5"}}');
    const yaml = parseConfigurationValues('env:\n  WARM_IP_TARGET: "5"\n');
    // Assess
    expect(json).toEqual({ ok: true, value: { env: { WARM_IP_TARGET: '5' } } });
    expect(yaml).toEqual(json);
  });
});
