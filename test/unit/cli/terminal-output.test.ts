import { describe, expect, it } from 'vitest';
import { applyQuery, renderGenericTable, renderText } from '../../../lib/cli/output.js';
import { breakLongWords } from '../../../lib/cli/table.js';
import { colorEnabled, safeText } from '../../../lib/cli/terminal-text.js';

describe('safeText', () => {
  // [case, text from EKS, what may reach a terminal]
  const cases: [string, string, string][] = [
    ['a screen clear and a window title', 'boom\u001b[2J\u001b]0;owned\u0007 now', 'boom now'],
    ['a title ended by ST', 'a\u001b]2;x\u001b\\b', 'ab'],
    ['a cursor move and a charset switch', 'a\u001b[10;10Hb\u001b(Bc', 'abc'],
    ['C1 CSI and OSC', 'a\u009b31mb\u009d0;x\u009cc', 'abc'],
    ['NUL, backspace, bell, DEL', 'a\u0000b\u0008c\u0007d\u007fe', 'abcde'],
    ['plain text of any script', 'ünïcode ✓ 日本', 'ünïcode ✓ 日本'],
  ];

  it.each(cases)('removes %s', (_case, text, expected) => {
    expect(safeText(text)).toBe(expected);
  });

  it('keeps newlines and tabs, or folds them with oneLine', () => {
    expect(safeText('a\nb\tc')).toBe('a\nb\tc');
    expect(safeText('a\r\nb\tc', { oneLine: true })).toBe('a b c');
  });
});

describe('colorEnabled', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  it('colours a terminal, never a pipe, NO_COLOR, TERM=dumb or --no-color; FORCE_COLOR forces it', () => {
    expect(colorEnabled({ stream: tty, env: {} })).toBe(true);
    expect(colorEnabled({ stream: pipe, env: {} })).toBe(false);
    expect(colorEnabled({ stream: pipe, env: { CI: 'true' } })).toBe(false);
    expect(colorEnabled({ stream: tty, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorEnabled({ stream: tty, env: { NO_COLOR: '' } })).toBe(true);
    expect(colorEnabled({ stream: tty, env: { TERM: 'dumb' } })).toBe(false);
    expect(colorEnabled({ stream: tty, env: {}, flag: false })).toBe(false);
    expect(colorEnabled({ stream: pipe, env: { FORCE_COLOR: '1' } })).toBe(true);
    expect(colorEnabled({ stream: pipe, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(colorEnabled({ stream: pipe, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(false);
  });
});

describe('text output and --query', () => {
  const doc = { clusters: [{ name: 'a', status: 'FAILED', error: { message: 'x\u001b[2Jy' } }, { name: 'b', status: 'UPGRADED', error: null }] };

  it('renders the AWS CLI\'s text: scalars tab-separated, nested records on their own lines, None for null', () => {
    expect(renderText(applyQuery(doc, 'clusters[].[name, status]'))).toBe('a\tFAILED\nb\tUPGRADED\n');
    expect(renderText(applyQuery(doc, 'clusters[].error.message'))).toBe('xy\n');
    expect(renderText({ name: 'a', n: 2, none: null, hops: [{ to: 'v1' }, { to: 'v2' }] })).toBe('a\t2\tNone\nv1\nv2\n');
  });

  it('renders any query result as a table without colour', () => {
    const table = renderGenericTable(applyQuery(doc, "clusters[?status=='FAILED'].{name: name, status: status}"), { color: false });
    expect(table).toContain('│ name │ status │');
    expect(table).toContain('│ a    │ FAILED │');
    expect(table).not.toContain('\u001b');
  });
});

describe('breakLongWords', () => {
  it('splits only the words longer than the column, so a wrapped cell keeps all of its text', () => {
    expect(breakLongWords('short words stay .spec.template.spec.containers[name="aws-node"]', 20)).toBe('short words stay .spec.template.spec. containers[name="aws -node"]');
  });
});
