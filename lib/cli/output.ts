import { compile, search } from '@jmespath-community/jmespath';
import type { JSONValue } from '@jmespath-community/jmespath';
import { InputValidationError } from '../errors.js';
import { createTable } from './table.js';
import { safeText } from './terminal-text.js';

/**
 * How a command prints its result, as in the AWS CLI: `json` (one JSON document on stdout, for scripts), `text`
 * (tab-separated values, one record a line, for `cut` and `awk`) or `table` (for people).
 */
export type OutputFormat = 'json' | 'table' | 'text';

const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'table', 'text'];

const isOutputFormat = (value: string): value is OutputFormat => (OUTPUT_FORMATS as readonly string[]).includes(value);

/**
 * The output format, in the AWS CLI's order: `--json` (ours: `--output json`), `--output`, AWS_DEFAULT_OUTPUT, the
 * profile's `output` setting, then `table` (the AWS CLI's default is json; a person at a terminal is ours).
 *
 * @throws InputValidationError naming `--output` for a format other than json, table or text
 * @example
 * resolveOutputFormat({ output: 'text' }, {}) // 'text'
 * resolveOutputFormat({}, { AWS_DEFAULT_OUTPUT: 'json' }) // 'json'
 */
export function resolveOutputFormat(
  options: { readonly output?: string | undefined; readonly json?: boolean | undefined },
  env: Readonly<Record<string, string | undefined>>,
  profileOutput?: string | undefined,
): OutputFormat {
  if (options.json) return 'json';
  if (options.output !== undefined) {
    if (!isOutputFormat(options.output)) throw new InputValidationError('--output', `"${options.output}" must be one of ${OUTPUT_FORMATS.join(', ')}`);
    return options.output;
  }
  // A setting made for the AWS CLI (yaml, yaml-stream) has no equivalent here: a table, rather than refusing
  // every command of an operator whose environment says yaml.
  for (const setting of [env['AWS_DEFAULT_OUTPUT'], profileOutput]) if (setting) return isOutputFormat(setting) ? setting : 'table';
  return 'table';
}

/**
 * Checks a `--query` expression before anything runs, so a typo is bad input (exit 2), not a failure after the
 * AWS calls.
 *
 * @throws InputValidationError naming `--query`
 */
export function checkQuery(expression: string | undefined): void {
  if (expression === undefined) return;
  try {
    compile(expression);
  } catch (error) {
    throw new InputValidationError('--query', `"${expression}" is not a JMESPath expression: ${safeText((error as Error).message, { oneLine: true })}`);
  }
}

/**
 * Applies a `--query` JMESPath expression (jmespath.org) to a command's JSON document, as the AWS CLI does before it
 * formats the result.
 *
 * @example
 * applyQuery({ clusters: [{ name: 'a', status: 'FAILED' }] }, "clusters[?status=='FAILED'].name") // ['a']
 */
export function applyQuery(document: unknown, expression: string | undefined): unknown {
  if (expression === undefined) return document;
  checkQuery(expression);
  return search(JSON.parse(JSON.stringify(document)) as JSONValue, expression);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): boolean => value === null || typeof value !== 'object';
const scalarText = (value: unknown): string => (value === null || value === undefined ? 'None' : safeText(String(value), { oneLine: true }));

/**
 * A JSON value as the AWS CLI's `text` output shows it: scalars of an object or array on one tab-separated line
 * (an object's members in their order), each nested object or list of objects on lines of its own, `None` for null.
 *
 * @example
 * renderText([{ name: 'a', status: 'FAILED' }, { name: 'b', status: 'UPGRADED' }]) // 'a\tFAILED\nb\tUPGRADED\n'
 */
export function renderText(value: unknown): string {
  const lines: string[] = [];
  const walk = (v: unknown): void => {
    if (isScalar(v)) {
      lines.push(scalarText(v));
      return;
    }
    const entries = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    const scalars = entries.filter(isScalar);
    if (scalars.length > 0) lines.push(scalars.map(scalarText).join('\t'));
    for (const nested of entries) if (!isScalar(nested)) walk(nested);
  };
  walk(value);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const cellText = (value: unknown): string => (isScalar(value) ? scalarText(value) : safeText(JSON.stringify(value)));

/**
 * Any JSON value as a table, for `--query` with `--output table`: a list of objects gets a column per member, a list
 * of scalars one column, an object a row per member, a scalar a single cell.
 *
 * @example
 * renderGenericTable([{ name: 'a', status: 'FAILED' }], { color: false })
 */
export function renderGenericTable(value: unknown, style: { readonly color: boolean }): string {
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    const columns = [...new Set(value.flatMap((row) => Object.keys(row)))];
    const table = createTable(columns, style);
    for (const row of value) table.push(columns.map((k) => cellText(row[k])));
    return `${table.toString()}\n`;
  }
  if (Array.isArray(value)) {
    const table = createTable(['value'], style);
    for (const item of value) table.push([cellText(item)]);
    return `${table.toString()}\n`;
  }
  if (isRecord(value)) {
    const table = createTable(['key', 'value'], style);
    for (const [k, v] of Object.entries(value)) table.push([k, cellText(v)]);
    return `${table.toString()}\n`;
  }
  return `${cellText(value)}\n`;
}

/** What a command prints and how: the document behind every format, and its own table when there is no query. */
export interface CommandOutput {
  readonly format: OutputFormat;
  readonly query?: string | undefined;
  readonly color: boolean;
}

/**
 * The text a command prints for `document`: JSON, text, or a table — the command's own (`table`) unless a
 * `--query` picked something else out of the document.
 *
 * @example
 * io.out(formatResult(document, output, () => renderPlanTable(plan)))
 */
export function formatResult(document: unknown, output: CommandOutput, table: () => string): string {
  const result = applyQuery(document, output.query);
  if (output.format === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  if (output.format === 'text') return renderText(result);
  return output.query === undefined ? table() : renderGenericTable(result, { color: output.color });
}
