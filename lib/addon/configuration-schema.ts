import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { parse as parseYaml } from 'yaml';
import { InvalidConfigurationSchemaError } from '../errors.js';

/**
 * One reason EKS would refuse a `configurationValues` text, in EKS's own wording
 * (docs/vpc-cni-settings.md#eks-refusal-message).
 */
export interface ConfigurationProblem {
  /** JSONPath of the offending value as EKS prints it, e.g. `$.env.POD_SECURITY_GROUP_ENFORCING_MODE`. */
  readonly path: string;
  /** e.g. `is not defined in the schema and the schema does not allow additional properties`. */
  readonly message: string;
}

export type ConfigurationValidation = { ok: true } | { ok: false; problems: ConfigurationProblem[] };

export type ParsedConfigurationValues = { ok: true; value: unknown } | { ok: false; problem: ConfigurationProblem };

// The add-on schemas declare `"format": "boolean"` / `"integer"` on string values
// (docs/vpc-cni-settings.md#values-and-their-spellings: env values are strings with a format hint). These are not
// standard JSON Schema formats, so we define them the way aws-node reads the values: Go's strconv.ParseBool and
// ParseInt. Approximation: whether EKS enforces these formats is not documented.
const BOOLEAN_TEXT = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/;
const INTEGER_TEXT = /^[+-]?\d+$/;
const FORMAT_PATTERNS: Record<string, RegExp> = { boolean: BOOLEAN_TEXT, integer: INTEGER_TEXT };

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(schemaText: string): ValidateFunction {
  const cached = compiled.get(schemaText);
  if (cached) return cached;
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch (error) {
    throw new InvalidConfigurationSchemaError(`not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    throw new InvalidConfigurationSchemaError('not a JSON object');
  if (!ajv) {
    // strict: false because EKS's schemas put `additionalProperties` on array types (`Tolerations`,
    // docs/vpc-cni-settings.md#the-configuration-schema), which Ajv's strict mode refuses although it is harmless.
    ajv = new Ajv({ allErrors: true, strict: false });
    // The EKS schemas declare draft-06 (docs/vpc-cni-settings.md#the-configuration-schema); Ajv 8 ships that
    // meta-schema but does not load it by default.
    ajv.addMetaSchema(draft06);
    for (const [name, pattern] of Object.entries(FORMAT_PATTERNS)) ajv.addFormat(name, pattern);
  }
  try {
    const validate = ajv.compile(schema);
    compiled.set(schemaText, validate);
    return validate;
  } catch (error) {
    throw new InvalidConfigurationSchemaError((error as Error).message, { cause: error });
  }
}

const jsonType = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

const SIMPLE_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Ajv's JSON pointer (`/env/WARM_IP_TARGET`) as the JSONPath EKS prints (`$.env.WARM_IP_TARGET`). */
function jsonPath(pointer: string, data: unknown, extraKey?: string): string {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extraKey !== undefined) segments.push(extraKey);
  let out = '$';
  let node: unknown = data;
  for (const segment of segments) {
    if (Array.isArray(node)) out += `[${segment}]`;
    else out += SIMPLE_KEY.test(segment) ? `.${segment}` : `['${segment.replace(/'/g, "\\'")}']`;
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return out;
}

const valueAt = (pointer: string, data: unknown): unknown => {
  let node = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
};

// Messages follow the validator EKS uses: its rejection text (docs/vpc-cni-settings.md#eks-refusal-message, "is not
// defined in the schema and the schema does not allow additional properties") is networknt json-schema-validator's
// wording, so the other keywords use that library's wording too.
function toProblem(error: ErrorObject, data: unknown): ConfigurationProblem {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        path: jsonPath(error.instancePath, data, String(params.additionalProperty)),
        message: 'is not defined in the schema and the schema does not allow additional properties',
      };
    case 'required':
      return { path: jsonPath(error.instancePath, data, String(params.missingProperty)), message: 'is missing but it is required' };
    case 'type': {
      const expected = Array.isArray(params.type) ? `[${params.type.join(', ')}]` : String(params.type);
      return { path: jsonPath(error.instancePath, data), message: `${jsonType(valueAt(error.instancePath, data))} found, ${expected} expected` };
    }
    case 'format': {
      const pattern = FORMAT_PATTERNS[String(params.format)];
      return {
        path: jsonPath(error.instancePath, data),
        message: `does not match the ${String(params.format)} pattern${pattern ? ` ${pattern.source}` : ''}`,
      };
    }
    case 'minProperties':
      return { path: jsonPath(error.instancePath, data), message: `should have a minimum of ${String(params.limit)} properties` };
    default:
      return { path: jsonPath(error.instancePath, data), message: error.message ?? `fails ${error.keyword}` };
  }
}

/**
 * Parses `configurationValues` text the way EKS accepts it: JSON or YAML
 * (docs/vpc-cni-settings.md#configurationvalues). Empty text means "no custom configuration".
 *
 * @example
 * parseConfigurationValues('env:\n  WARM_IP_TARGET: "5"\n') // { ok: true, value: { env: { WARM_IP_TARGET: '5' } } }
 */
export function parseConfigurationValues(valuesText: string): ParsedConfigurationValues {
  if (valuesText.trim() === '') return { ok: true, value: {} };
  try {
    // YAML 1.2 is a superset of JSON, so one parser reads both forms EKS accepts.
    return { ok: true, value: parseYaml(valuesText, { uniqueKeys: true }) as unknown };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? 'parse error';
    return { ok: false, problem: { path: '$', message: `is not valid JSON or YAML: ${reason}` } };
  }
}

/**
 * Checks `configurationValues` (JSON or YAML text) against an add-on configuration schema, the string
 * DescribeAddonConfiguration returns. Use it to pre-flight a configuration before UpdateAddon: EKS
 * rejects the whole update when one key is unknown to the target version
 * (docs/vpc-cni-settings.md#configurationvalues).
 *
 * @throws InvalidConfigurationSchemaError when `schemaText` is not a usable JSON schema
 * @example
 * validateConfigurationValues(schemaText, '{"env":{"NOT_A_SETTING":"1"}}')
 * // { ok: false, problems: [{ path: '$.env.NOT_A_SETTING',
 * //   message: 'is not defined in the schema and the schema does not allow additional properties' }] }
 */
export function validateConfigurationValues(schemaText: string, valuesText: string): ConfigurationValidation {
  const validate = validatorFor(schemaText);
  const parsed = parseConfigurationValues(valuesText);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  if (validate(parsed.value)) return { ok: true };
  const seen = new Set<string>();
  const problems: ConfigurationProblem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, parsed.value);
    const key = `${problem.path}: ${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return { ok: false, problems };
}

/**
 * The message EKS returns (InvalidParameterException, HTTP 400) when it refuses `configurationValues`
 * (docs/vpc-cni-settings.md#eks-refusal-message, verbatim format from aws/amazon-vpc-cni-k8s#2173).
 *
 * @example
 * formatConfigurationRejection([{ path: '$.env.X', message: 'is not defined in the schema and the schema does not allow additional properties' }])
 * // 'ConfigurationValue provided in request is not supported [$.env.X: is not defined in the schema and the schema does not allow additional properties]'
 */
export function formatConfigurationRejection(problems: readonly ConfigurationProblem[]): string {
  return `ConfigurationValue provided in request is not supported [${problems.map((p) => `${p.path}: ${p.message}`).join(', ')}]`;
}
