import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPlan } from '../../bin/commands/plan.js';

const FLEET = join(import.meta.dirname, '../../examples/fleet.json');

async function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = { code: 0, stdout: '', stderr: '' };
  const program = new Command().exitOverride();
  registerPlan(program, { out: (t) => void (result.stdout += t), err: (t) => void (result.stderr += t), exit: (code) => void (result.code = code) });
  await program.parseAsync(['plan', ...args], { from: 'user' });
  return result;
}

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
