import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// The command table of docs/cli.md against the compiled CLI's own help: the same commands, and each row names exactly
// the command's own options (the options every AWS command shares are described once, below the table).
const SHARED = new Set(['--region', '--profile', '--endpoint-url', '--output', '--json', '--query', '--no-color', '--debug', '--help']);
const optionsIn = (text: string): Set<string> => new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));

describe('the command section of docs/cli.md', () => {
  let dir: string;
  let rows: Map<string, Set<string>>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-readme-'));
    const readme = await readFile(join(import.meta.dirname, '../../docs/cli.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Commands'), readme.indexOf('## Operator CLI'));
    rows = new Map(
      [...section.matchAll(/^\| `cni-fleet ([a-z]+)([^`]*)` \|/gm)].map((m) => [m[1]!, optionsIn(m[2]!)]),
    );
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists exactly the commands `cni-fleet --help` lists', async () => {
    // Act
    const help = await cli(['--help'], cleanEnv(dir));

    // Assess
    const commands = [...help.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect([...rows.keys()].sort()).toEqual(commands.sort());
  });

  it('names each command\'s own options, and only those', async () => {
    for (const [command, documented] of rows) {
      // Act
      const help = await cli([command, '--help'], cleanEnv(dir));

      // Assess
      // The flags that open the lines of the Options list (descriptions may mention other commands' options).
      const flags = [...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
      const own = flags.filter((o) => !SHARED.has(o));
      expect({ command, options: [...documented].sort() }).toEqual({ command, options: own.sort() });
    }
  });
});
