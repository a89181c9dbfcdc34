import type { z } from 'zod';
import { InputValidationError } from '../errors.js';

// Keys that read unambiguously after a dot; any other key (a NUL, a space, a dot, non-ASCII) is shown JSON-quoted,
// so a hostile key cannot forge a path or put control characters into a terminal or a log line.
const PLAIN_KEY = /^[A-Za-z0-9_$/:@+=-]+$/;

/** `['clusters', 3, 'addon', 'version']` → `clusters[3].addon.version`: the path a user can find in the file. */
export function fieldPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (!PLAIN_KEY.test(String(key))) out += `[${JSON.stringify(String(key))}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * Validates `value` against `schema` and returns the typed result; on failure throws one
 * InputValidationError naming the first offending field (the full list is in `cause`).
 *
 * @example
 * parseOrThrow(FleetFile, JSON.parse(text), 'fleet') // throws "fleet.clusters[0].name: …"
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, root = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [first] = result.error.issues;
  // zod puts an unknown key's issue on the object that holds it; the key itself is the field to name.
  if (first?.code === 'unrecognized_keys') {
    const [key] = first.keys;
    throw new InputValidationError(fieldPath([...first.path, key ?? ''], root), `unknown key "${String(key)}"`, { cause: result.error });
  }
  const field = fieldPath(first?.path ?? [], root);
  // A bad record key: zod's own message is only "Invalid key in record"; the key's issue says what is wrong.
  const problem = first?.code === 'invalid_key' ? (first.issues[0]?.message ?? first.message) : first?.message;
  throw new InputValidationError(field, problem ?? 'invalid', { cause: result.error });
}
