import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { parseFleetFile } from '../../../lib/fleet/fleet-file.js';
import type { Simulator } from '../../../sim/server.js';
import { startSimulator } from '../../../sim/server.js';
import { cleanEnv, cli as runCli, type CliResult } from '../../helpers/cli-process.js';

let dir: string;
let sim: Simulator;

// Through the real CLI process with async execFile: the simulator runs in this process and must keep serving
// (docs/toolchain.md#running-clis-from-a-test-that-hosts-the-simulator).
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, cleanEnv(dir, env));

/** Every case through the compiled CLI as a process. */
const planInProcess = (args: string[]): Promise<CliResult> => cli(['plan', ...args]);

async function tempFile(name: string, content: unknown): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const FLEET = {
  clusters: [
    { name: 'old', kubernetesVersion: '1.23', addon: { version: 'v1.6.3-eksbuild.2' } },
    { name: 'stuck', kubernetesVersion: '1.31', addon: { version: 'v1.8.0-eksbuild.1' } },
    { name: 'self', region: 'eu-west-1', kubernetesVersion: '1.31', selfManaged: { version: 'v1.11.4' } },
    { name: 'done', kubernetesVersion: '1.36', addon: { version: 'v1.23.1-eksbuild.1' } },
  ],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cni-fleet-plan-'));
  sim = await startSimulator({ fleet: parseFleetFile(JSON.stringify(FLEET)), unref: true });
});
afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('cni-fleet plan --fleet', () => {
  it('prints the plan of every cluster as JSON', async ({ expect }) => {
    // Prepare
    const file = await tempFile('fleet.json', FLEET);

    // Act
    const result = await cli(['plan', '--fleet', file, '--json']);

    // Assess
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { clusters: { name: string; region: string; kubernetesVersion: string; from: string; target: string; hops: { to: string; kind: string }[]; blocked: string | null }[] };
    expect(out.clusters.map((c) => [c.name, c.region, c.kubernetesVersion, c.from, c.target, c.hops.length])).toEqual([
      ['old', 'us-east-1', '1.23', 'v1.6.3-eksbuild.2', 'v1.18.5-eksbuild.1', 12],
      ['stuck', 'us-east-1', '1.31', 'v1.8.0-eksbuild.1', 'v1.22.4-eksbuild.3', 0],
      ['self', 'eu-west-1', '1.31', 'v1.11.4', 'v1.22.4-eksbuild.3', 12],
      ['done', 'us-east-1', '1.36', 'v1.23.1-eksbuild.1', 'v1.22.4-eksbuild.3', 0],
    ]);
    expect(out.clusters[0]!.hops[0]).toEqual({ index: 1, from: 'v1.6.3-eksbuild.2', to: 'v1.7.10-eksbuild.2', kind: 'minor' });
    expect(out.clusters[2]!.hops[0]).toMatchObject({ kind: 'create', to: 'v1.11.5-eksbuild.1' });
    expect(out.clusters.map((c) => c.blocked === null)).toEqual([true, false, true, true]);
    expect(out.clusters[1]!.blocked).toMatch(/no v1\.9 build is offered for Kubernetes 1\.31/);
  });

  it('exits 2 with one line on stderr for a bad --target (a real process)', async ({ expect }) => {
    // Prepare
    const file = await tempFile('bad-target.json', FLEET);

    // Act
    const result = await cli(['plan', '--fleet', file, '--target', 'v1.19']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('cni-fleet plan: --target: "v1.19" is not a vpc-cni version (expected vMAJOR.MINOR.PATCH or vMAJOR.MINOR.PATCH-eksbuild.N)\n');
  });

  it('plans to an exact target and downgrades only when allowed', async ({ expect }) => {
    // Prepare
    const file = await tempFile('downgrade.json', { clusters: [{ name: 'c', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' } }] });

    // Act
    const refused = await planInProcess(['--fleet', file, '--json', '--target', 'v1.17.1-eksbuild.1']);
    const allowed = await planInProcess(['--fleet', file, '--json', '--target', 'v1.17.1-eksbuild.1', '--allow-downgrade']);

    // Assess
    expect(JSON.parse(refused.stdout).clusters[0]).toMatchObject({ hops: [], blockedCode: 'DOWNGRADE_REFUSED' });
    const hops = (JSON.parse(allowed.stdout).clusters[0].hops as { to: string }[]).map((h) => h.to);
    expect(hops).toEqual(['v1.18.6-eksbuild.1', 'v1.17.1-eksbuild.1']);
  });

  it('prints a table with a summary by default', async ({ expect }) => {
    // Prepare
    const file = await tempFile('table.json', FLEET);

    // Act
    const result = await planInProcess(['--fleet', file, '--target', 'latest']);

    // Assess
    expect(result.code).toBe(0);
    const text = stripVTControlCharacters(result.stdout);
    expect(text).toContain('BLOCKED (MINOR_NOT_OFFERED)');
    expect(text).toContain(' 1. create v1.11.5-eksbuild.1');
    expect(text.trimEnd().split('\n').at(-1)).toBe('4 clusters: 2 to change (25 hops), 1 with nothing to do, 1 blocked');
  });

  it.for([
    ['a bad --target', ['--target', 'v1.12'], /^cni-fleet plan: --target: "v1\.12" is not a vpc-cni version/],
    ['an upstream tag as --target', ['--target', 'v1.12.6'], /^cni-fleet plan: --target: "v1\.12\.6" is an upstream tag/],
    ['--region with --fleet', ['--region', 'us-east-1'], /^cni-fleet plan: --region: reads AWS/],
  ] as const)('exits 2 with one line on stderr for %s', async ([, extra, message], { expect }) => {
    // Prepare
    const file = await tempFile(`ok-${extra[0]!.slice(2)}-${extra[1]}.json`, FLEET);

    // Act
    const result = await planInProcess(['--fleet', file, ...extra]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.for([
    ['a version that is no EKS build', { clusters: [{ name: 'x', kubernetesVersion: '1.23', addon: { version: '1.2' } }] }, 'clusters[0].addon.version: '],
    ['an unknown key', { clusters: [{ name: 'x', kubernetesVersion: '1.23', adon: {} }] }, 'clusters[0].adon: '],
    ['text that is not JSON', '{"clusters": [', '(root): not valid JSON'],
  ] as const)('exits 2 naming the field for a fleet file with %s', async ([what, content, field], { expect }) => {
    // Prepare
    const file = await tempFile(`bad-${what.replaceAll(' ', '-')}.json`, content);

    // Act
    const result = await planInProcess(['--fleet', file]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr.startsWith(`cni-fleet plan: ${field}`)).toBe(true);
    expect(result.stderr).toContain(`(fleet file ${file})`);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 2 naming --fleet for a file that does not exist', async ({ expect }) => {
    // Act
    const result = await planInProcess(['--fleet', join(dir, 'missing.json')]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cni-fleet plan: --fleet: cannot read ".*missing\.json": no such file\n$/);
  });

  it('describes every option in --help', async ({ expect }) => {
    // Act
    const result = await planInProcess(['--help']);

    // Assess
    expect(result.code).toBe(0);
    for (const option of ['--fleet <file>', '--input <file>', '--target <target>', '--allow-downgrade', '--json', '--output <format>', '--query <jmespath>', '--region <region>', '--profile <profile>', '--endpoint-url <url>', 'AWS_ENDPOINT_URL_EKS', 'Exit codes:'])
      expect(result.stdout).toContain(option);
  });
});

describe.concurrent('cni-fleet plan reading AWS (the simulator through AWS_ENDPOINT_URL_EKS)', () => {
  it('reads the Region given by --region', async ({ expect }) => {
    // Act
    const result = await cli(['plan', '--region', 'us-east-1', '--json'], {
      AWS_ENDPOINT_URL_EKS: sim.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });

    // Assess
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { source: string; clusters: { name: string; from: string; target: string; hops: unknown[] }[] };
    expect(out.source).toBe('aws');
    expect(out.clusters.map((c) => [c.name, c.from, c.target, c.hops.length])).toEqual([
      ['old', 'v1.6.3-eksbuild.2', 'v1.18.5-eksbuild.1', 12],
      ['stuck', 'v1.8.0-eksbuild.1', 'v1.22.4-eksbuild.3', 0],
      ['done', 'v1.23.1-eksbuild.1', 'v1.22.4-eksbuild.3', 0],
    ]);
  });

  it('takes Region and credentials from the --profile', async ({ expect }) => {
    // Prepare
    const config = await tempFile('aws-config', '[profile sim-eu]\nregion = eu-west-1\n');
    const credentials = await tempFile('aws-credentials', '[sim-eu]\naws_access_key_id = test\naws_secret_access_key = test\n');

    // Act
    const result = await cli(['plan', '--profile', 'sim-eu', '--json'], {
      AWS_ENDPOINT_URL_EKS: sim.endpoint,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
    });

    // Assess
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as { clusters: { name: string; region: string; blocked: string | null }[] };
    expect(out.clusters).toHaveLength(1);
    expect(out.clusters[0]).toMatchObject({ name: 'self', region: 'eu-west-1' });
    // The self-managed aws-node DaemonSet is read through the cluster's Kubernetes API.
    expect(out.clusters[0]).toMatchObject({ install: 'self-managed', from: 'v1.11.4' });
  });

  it('exits 2 naming --region when no Region is configured', async ({ expect }) => {
    // Act
    const result = await cli(['plan'], { AWS_ENDPOINT_URL_EKS: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('cni-fleet plan: --region: no AWS Region is configured: pass --region, or set AWS_REGION, AWS_DEFAULT_REGION or a region in the profile\n');
  });

  it('exits 1 with one line on stderr when AWS cannot be read', async ({ expect }) => {
    // Act
    const result = await cli(['plan', '--region', 'us-east-1'], { AWS_ENDPOINT_URL_EKS: sim.endpoint });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cni-fleet plan: .*credential/i);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
