import { JSONPath } from 'jsonpath-plus';
import type { JsonValue } from '../../lib/json.js';
import { statesRuntime } from './states-errors.js';

/**
 * Evaluates a States Language path the way aws-local-stepfunctions does (jsonpath-plus, `$$` for the context
 * object), for the Map fields the runner evaluates itself (rehearsal/runner/map-run.ts). A path to nothing is the
 * service's States.Runtime.
 */
export function queryPath(path: string, input: unknown, context: unknown): JsonValue {
  const value = path.startsWith('$$')
    ? (JSONPath({ path: path.slice(1), json: (context ?? null) as JsonValue, wrap: false }) as JsonValue | undefined)
    : (JSONPath({ path, json: input as JsonValue, wrap: false }) as JsonValue | undefined);
  if (value === undefined) throw statesRuntime(`The JSONPath '${path}' could not be found in the input`);
  return value;
}

/** True when a payload template uses an intrinsic function anywhere (a `.$` value that is not a path). */
export function usesIntrinsicFunction(template: unknown): boolean {
  if (Array.isArray(template)) return template.some(usesIntrinsicFunction);
  if (typeof template !== 'object' || template === null) return false;
  return Object.entries(template).some(([key, value]) => (key.endsWith('.$') && typeof value === 'string' && !value.startsWith('$')) || usesIntrinsicFunction(value));
}

/**
 * Resolves a payload template (`ItemSelector`, `BatchInput`): keys ending in `.$` take the value at their path,
 * everything else is copied. Intrinsic functions are refused when the definition is prepared, not here.
 */
export function resolveTemplate(template: unknown, input: unknown, context: unknown): JsonValue {
  if (Array.isArray(template)) return template.map((value) => resolveTemplate(value, input, context));
  if (typeof template !== 'object' || template === null) return template as JsonValue;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && typeof value === 'string') out[key.slice(0, -2)] = queryPath(value, input, context);
    else out[key] = resolveTemplate(value, input, context);
  }
  return out;
}
