import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import { parse as parseYaml } from 'yaml';

/**
 * How EKS judges `configurationValues` against a build's configuration schema, implemented here on its own so the
 * product's pre-flight (lib/addon) is tested against an independent judge (docs/simulator.md). EKS accepts JSON or
 * YAML text and refuses the whole request when one value does not fit, with InvalidParameterException
 * `ConfigurationValue provided in request is not supported [<path>: <reason>, …]`
 * (https://docs.aws.amazon.com/eks/latest/userguide/add-ons-configuration.html; the bracketed list is the wording of
 * the JSON Schema validator EKS runs, seen in refusals such as aws/amazon-vpc-cni-k8s#2173).
 */
export type ConfigurationVerdict = { readonly accepted: true } | { readonly accepted: false; readonly reasons: readonly string[] };

/** What a `configurationValues` text holds; unreadable text is a reason to refuse. */
export type ReadValues = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Reads `configurationValues` the way EKS takes them: JSON or YAML (YAML 1.2 reads JSON too); blank text is "no
 * custom configuration".
 *
 * @example
 * readConfigurationValues('env:\n  WARM_IP_TARGET: "5"\n') // { ok: true, value: { env: { WARM_IP_TARGET: '5' } } }
 */
export function readConfigurationValues(text: string): ReadValues {
  if (/^\s*$/.test(text)) return { ok: true, value: {} };
  try {
    return { ok: true, value: parseYaml(text, { uniqueKeys: true }) as unknown };
  } catch (error) {
    return { ok: false, reason: `$: is not valid JSON or YAML: ${String((error as Error).message).split('\n')[0]}` };
  }
}

// The vpc-cni schemas mark string values with `"format": "boolean"` / `"integer"`, formats JSON Schema does not
// define. aws-node reads those values with Go's strconv.ParseBool and ParseInt, so those spellings are what fits.
const GO_BOOL = ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'];
const FORMATS: Record<string, (text: string) => boolean> = {
  boolean: (text) => GO_BOOL.includes(text),
  integer: (text) => /^[-+]?[0-9]+$/.test(text),
};

// One Ajv for the simulator; EKS's schemas declare draft-06 and put `additionalProperties` on arrays (harmless,
// but refused by strict mode).
const judge = new Ajv({ allErrors: true, strict: false });
judge.addMetaSchema(draft06);
for (const [name, validate] of Object.entries(FORMATS)) judge.addFormat(name, { type: 'string', validate });
const validators = new Map<string, ValidateFunction>();

function validatorOf(schemaText: string): ValidateFunction {
  let validate = validators.get(schemaText);
  if (!validate) {
    validate = judge.compile(JSON.parse(schemaText) as object);
    validators.set(schemaText, validate);
  }
  return validate;
}

/** `$.env.X`, `$.tolerations[0]`, `$['odd key']`: the path notation of EKS's messages. */
function pathOf(segments: readonly string[], root: unknown): string {
  let text = '$';
  let node = root;
  for (const segment of segments) {
    if (Array.isArray(node)) text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += `.${segment}`;
    else text += `['${segment.replace(/'/g, "\\'")}']`;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return text;
}

const segmentsOf = (pointer: string): string[] => (pointer ? pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : []);

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function valueAt(segments: readonly string[], root: unknown): unknown {
  return segments.reduce<unknown>((node, s) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[s] : undefined), root);
}

function reasonOf(error: ErrorObject, root: unknown): string {
  const at = segmentsOf(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${pathOf([...at, String(p.additionalProperty)], root)}: is not defined in the schema and the schema does not allow additional properties`;
    case 'required':
      return `${pathOf([...at, String(p.missingProperty)], root)}: is missing but it is required`;
    case 'type':
      return `${pathOf(at, root)}: ${kindOf(valueAt(at, root))} found, ${Array.isArray(p.type) ? `[${p.type.join(', ')}]` : String(p.type)} expected`;
    case 'format':
      return `${pathOf(at, root)}: does not match the ${String(p.format)} pattern`;
    case 'minProperties':
      return `${pathOf(at, root)}: should have a minimum of ${String(p.limit)} properties`;
    default:
      return `${pathOf(at, root)}: ${error.message ?? error.keyword}`;
  }
}

/**
 * EKS's verdict on a `configurationValues` text for the build whose schema is `schemaText` (the string
 * DescribeAddonConfiguration returns).
 *
 * @example
 * checkConfiguration(schemaText, '{"env":{"NOT_A_SETTING":"1"}}')
 * // { accepted: false, reasons: ['$.env.NOT_A_SETTING: is not defined in the schema and the schema does not allow additional properties'] }
 */
export function checkConfiguration(schemaText: string, valuesText: string): ConfigurationVerdict {
  const read = readConfigurationValues(valuesText);
  if (!read.ok) return { accepted: false, reasons: [read.reason] };
  const validate = validatorOf(schemaText);
  if (validate(read.value)) return { accepted: true };
  const reasons = [...new Set((validate.errors ?? []).map((e) => reasonOf(e, read.value)))];
  return { accepted: false, reasons };
}

/** The message of EKS's 400 for a refused configuration. */
export const configurationRefusal = (reasons: readonly string[]): string => `ConfigurationValue provided in request is not supported [${reasons.join(', ')}]`;
