import type { z } from 'zod';
import { InputValidationError } from '../errors.js';

/** `['clusters', 3, 'addon', 'version']` → `clusters[3].addon.version`: the path a user can find in the file. */
export function fieldPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
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
  const field = fieldPath(first?.path ?? [], root);
  throw new InputValidationError(field, first?.message ?? 'invalid', { cause: result.error });
}
