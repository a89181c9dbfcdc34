/** A value that survives JSON, DynamoDB and a Step Functions payload unchanged. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;

/**
 * A JSON object. Members may be `undefined` so that zod-inferred types with optional fields are
 * accepted; {@link toPlainJson} drops them before anything is written.
 */
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined;
}

/**
 * A deep copy with `undefined` members dropped, `Date`s turned to ISO strings and class instances to
 * plain objects: what the record will look like once read back, so a replay can be compared with it.
 * The caller's DynamoDBDocumentClient may lack `removeUndefinedValues`, so nothing undefined may reach it.
 *
 * @example
 * toPlainJson({ a: 1, b: undefined }) // { a: 1 }
 */
export function toPlainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The top-level members whose JSON differs between two objects, ignoring member order (DynamoDB
 * does not keep the order of a map's members). Empty when the two are equal.
 *
 * @example
 * jsonDifferences({ a: 1, b: [1] }, { b: [1], a: 2 }) // ['a']
 */
export function jsonDifferences(a: object, b: object): string[] {
  const left = a as Readonly<Record<string, unknown>>;
  const right = b as Readonly<Record<string, unknown>>;
  const names = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
  return names.filter((name) => canonicalJson(left[name]) !== canonicalJson(right[name]));
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) =>
    member !== null && typeof member === 'object' && !Array.isArray(member)
      ? Object.fromEntries(Object.entries(member).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : member,
  ) ?? 'undefined';
}
