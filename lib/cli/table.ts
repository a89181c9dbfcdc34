import Table from 'cli-table3';

/** How a table is drawn. */
export interface TableStyle {
  /** ANSI colours for the header and borders. Without them the table is plain text (cli-table3 colours by default). */
  readonly color: boolean;
  /** Fixed widths; `null` sizes a column to its content. A fixed column wraps its text, whole. */
  readonly colWidths?: readonly (number | null)[];
}

/**
 * Splits words longer than `width` so a wrapped cell keeps all of its text: cli-table3 wraps on spaces and cuts a
 * longer word with "…", which would hide the end of an error message (a field path, an update id).
 *
 * @example
 * breakLongWords('a .spec.template.spec.containers[name="aws-node"]', 20)
 */
export function breakLongWords(text: string, width: number): string {
  if (width < 4) return text;
  return text
    .split('\n')
    .map((line) =>
      line
        .split(' ')
        // A word with an escape sequence is a coloured label, never longer than a column: leave it whole.
        .map((word) => (word.length <= width || word.includes('\x1b') ? word : (word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [word]).join(' ')))
        .join(' '),
    )
    .join('\n');
}

type Row = (string | number)[];

/**
 * A cli-table3 table whose only escape sequences are the ones `style.color` allows (cli-table3 colours the header
 * red and the borders grey unless told otherwise, which a pipe or NO_COLOR must never see), and whose fixed-width
 * columns wrap their text without cutting any of it.
 *
 * @example
 * const table = createTable(['Cluster', 'Note'], { color: false, colWidths: [null, 40] });
 * table.push(['prod', message]);
 */
export function createTable(head: readonly string[], style: TableStyle): InstanceType<typeof Table> {
  const table = new Table({
    head: [...head],
    ...(style.colWidths ? { colWidths: [...style.colWidths], wordWrap: true, wrapOnWordBoundary: true } : {}),
    style: { head: style.color ? ['cyan'] : [], border: style.color ? ['gray'] : [] },
  });
  const widths = style.colWidths;
  if (widths) {
    const push = table.push.bind(table);
    // Cell padding is one space on each side.
    table.push = (...rows: Row[]): number => push(...rows.map((row) => row.map((cell, i) => (typeof cell === 'string' && widths[i] ? breakLongWords(cell, widths[i]! - 2) : cell))));
  }
  return table;
}
