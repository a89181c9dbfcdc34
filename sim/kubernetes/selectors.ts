/**
 * Label and field selectors as the API server reads them
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors,
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/).
 */

/** One requirement of a label selector: equality (`k=v`, `k==v`, `k!=v`), set (`k in (a,b)`, `k notin (a)`), existence. */
export interface LabelRequirement {
  readonly key: string;
  readonly op: 'in' | 'notin' | 'exists' | 'absent';
  readonly values: readonly string[];
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside `( … )`. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

/**
 * Parses a label selector; undefined when the API server would refuse it (400).
 *
 * @example
 * parseLabelSelector('k8s-app=aws-node,eks.amazonaws.com/nodegroup in (gpu,general)')
 * // [{ key: 'k8s-app', op: 'in', values: ['aws-node'] }, { key: 'eks.amazonaws.com/nodegroup', op: 'in', values: ['gpu', 'general'] }]
 */
export function parseLabelSelector(text: string): LabelRequirement[] | undefined {
  const requirements: LabelRequirement[] = [];
  for (const term of terms(text)) {
    const set = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
    if (set) {
      const values = set[3]!.split(',').map((v) => v.trim());
      if (!KEY.test(set[1]!) || !values.every((v) => VALUE.test(v))) return undefined;
      requirements.push({ key: set[1]!, op: set[2] as 'in' | 'notin', values });
      continue;
    }
    const m = /^(!?)([^!=\s]+)\s*(?:(!=|==|=)\s*(\S*))?$/.exec(term);
    if (!m || !KEY.test(m[2]!)) return undefined;
    const [, bang, key, op, value] = m as unknown as [string, string, string, string | undefined, string | undefined];
    if (bang && op) return undefined;
    if (value !== undefined && !VALUE.test(value)) return undefined;
    if (bang) requirements.push({ key, op: 'absent', values: [] });
    else if (!op) requirements.push({ key, op: 'exists', values: [] });
    else requirements.push({ key, op: op === '!=' ? 'notin' : 'in', values: [value ?? ''] });
  }
  return requirements;
}

/** True when `labels` satisfy every requirement. */
export function labelsMatch(labels: Readonly<Record<string, string>>, requirements: readonly LabelRequirement[]): boolean {
  return requirements.every((r) => {
    const value = labels[r.key];
    switch (r.op) {
      case 'exists':
        return value !== undefined;
      case 'absent':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notin':
        return value === undefined || !r.values.includes(value);
    }
  });
}

/** One term of a field selector: `spec.nodeName=ip-10-0-0-4…` or `status.phase!=Running`. */
export interface FieldRequirement {
  readonly field: string;
  readonly equal: boolean;
  readonly value: string;
}

export type ParsedFieldSelector = { ok: true; requirements: FieldRequirement[] } | { ok: false; message: string };

/**
 * Parses a field selector against the fields a resource supports; the API server answers 400 `field label not
 * supported: X` for any other.
 *
 * @example
 * parseFieldSelector('spec.nodeName=ip-10-0-0-4.us-east-1.compute.internal', ['spec.nodeName'])
 */
export function parseFieldSelector(text: string, supported: readonly string[]): ParsedFieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const term of text.split(',').map((t) => t.trim()).filter((t) => t !== '')) {
    const m = /^([^!=\s]+)\s*(!=|==|=)\s*(\S*)$/.exec(term);
    if (!m) return { ok: false, message: `invalid selector: '${text}'; can't understand '${term}'` };
    if (!supported.includes(m[1]!)) return { ok: false, message: `field label not supported: ${m[1]}` };
    requirements.push({ field: m[1]!, equal: m[2] !== '!=', value: m[3]! });
  }
  return { ok: true, requirements };
}

/** True when the object's fields (by dotted name) satisfy every requirement. */
export const fieldsMatch = (fields: Readonly<Record<string, string>>, requirements: readonly FieldRequirement[]): boolean =>
  requirements.every((r) => (fields[r.field] === r.value) === r.equal);
