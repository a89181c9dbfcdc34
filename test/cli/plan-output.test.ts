import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cleanEnv, cli } from '../helpers/cli-process.js';

const FLEET = join(import.meta.dirname, '../../examples/fleet.json');

// The compiled CLI as a process.
const plan = (args: string[]) => cli(['plan', ...args], cleanEnv(tmpdir()));

// `plan` takes `--output json|table` like start, status and history (and the AWS CLI); `--json` stays its shorthand.
describe('cni-fleet plan --output', () => {
  it('prints the same JSON document for --output json as for --json', async () => {
    // Act
    const [output, json] = await Promise.all([plan(['--fleet', FLEET, '--output', 'json']), plan(['--fleet', FLEET, '--json'])]);

    // Assess
    expect(output.code).toBe(0);
    const doc = JSON.parse(output.stdout) as { source: string; clusters: unknown[] };
    expect(doc.source).toBe('fleet-file');
    expect(doc.clusters.length).toBeGreaterThan(0);
    expect(output.stdout).toBe(json.stdout);
  });

  it('refuses a format other than json, table or text as bad input', async () => {
    // Act
    const result = await plan(['--fleet', FLEET, '--output', 'yaml']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('cni-fleet plan: --output: "yaml" must be one of json, table, text\n');
  });
});
