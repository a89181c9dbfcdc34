/**
 * Text that came from outside (EKS error messages, health issues, tags, a progress record) may carry terminal
 * control sequences: an escape that clears the screen, moves the cursor, rewrites the window title or hides the
 * rest of a line. Printed as they are, they would let a cluster's data rewrite what an operator sees, so every
 * such text passes through `safeText` before it reaches a terminal, a log or a report.
 */

// Control characters are the point of these patterns.
/* eslint-disable no-control-regex */
// ESC-introduced sequences (ECMA-48): CSI `ESC [ … final`, OSC/DCS/SOS/PM/APC strings up to BEL or ST, and
// two-character escapes. Then the C1 forms of CSI and OSC (0x9b, 0x9d…), which some terminals honour too.
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[ -/]*[0-~]|\x9b[0-?]*[ -/]*[@-~]|[\x90\x98\x9d\x9e\x9f][\s\S]*?(?:\x07|\x9c|$)/g;
// What is left of C0 (but tab and newline), DEL and C1.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

/**
 * Removes terminal control sequences and control characters, keeping tabs and newlines (`oneLine` turns those
 * into spaces as well).
 *
 * @example
 * safeText('boom\x1b[2J\x1b]0;owned\x07 now') // 'boom now'
 * safeText('a\nb', { oneLine: true }) // 'a b'
 */
export function safeText(text: string, options: { readonly oneLine?: boolean } = {}): string {
  const clean = text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
  return options.oneLine ? clean.replace(/\s*[\r\n\t]+\s*/g, ' ') : clean;
}

/** A stream as far as colour is concerned. */
export interface OutputStream {
  readonly isTTY?: boolean;
}

/**
 * Whether to colour what goes to `stream`: never when `--no-color` was given, `NO_COLOR` is set (no-color.org: to any
 * non-empty value), the stream is not a terminal, or TERM is `dumb`; `FORCE_COLOR` (non-empty, not `0`) turns it on for a
 * pipe. Unlike picocolors' own detection, a CI variable does not turn colour on: a CI log is a pipe.
 *
 * @example
 * colorEnabled({ stream: process.stdout, env: process.env, flag: options.color })
 */
export function colorEnabled(request: { readonly stream: OutputStream; readonly env: Readonly<Record<string, string | undefined>>; readonly flag?: boolean | undefined }): boolean {
  const { stream, env, flag } = request;
  if (flag === false || (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '')) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}
