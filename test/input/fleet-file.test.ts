import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputValidationError } from '../../lib/errors.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';

// Malformed fleet files: parseFleetFile names the field of each; a few go through the real CLI process.

const cluster = { name: 'payments-prod', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1' } };
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const text = (value: unknown): string => JSON.stringify(value);
const one = (patch: Record<string, unknown>, extra: Record<string, unknown> = {}): string => text({ ...extra, clusters: [{ ...cluster, ...patch }] });
const withAddon = (addon: Record<string, unknown>): string => one({ addon: { ...cluster.addon, ...addon } });
const withFault = (fault: Record<string, unknown>): string => one({ faults: [{ effect: 'THROTTLE', ...fault }] });

interface Case {
  readonly name: string;
  readonly text: string;
  readonly field: string;
}

const cases: Case[] = [
  { name: 'not JSON', text: '{ "clusters": [', field: '(root)' },
  { name: 'a JSON array', text: text([cluster]), field: '(root)' },
  { name: 'clusters missing', text: text({ settings: {} }), field: 'clusters' },
  { name: 'clusters empty', text: text({ clusters: [] }), field: 'clusters' },
  { name: 'clusters an object', text: text({ clusters: cluster }), field: 'clusters' },
  { name: 'unknown top-level key', text: text({ clusters: [cluster], cluster: cluster }), field: 'cluster' },
  { name: 'unknown cluster key', text: one({ addonVersion: 'v1.19.0-eksbuild.1' }), field: 'clusters[0].addonVersion' },
  { name: 'description of 5,000 characters', text: text({ description: 'd'.repeat(5000), clusters: [cluster] }), field: 'description' },
  { name: 'name missing', text: text({ clusters: [{ kubernetesVersion: '1.29' }] }), field: 'clusters[0].name' },
  { name: 'name starting with a hyphen', text: one({ name: '-prod' }), field: 'clusters[0].name' },
  { name: 'name of 101 characters', text: one({ name: 'n'.repeat(101) }), field: 'clusters[0].name' },
  { name: 'name with "; rm -rf /"', text: one({ name: 'prod; rm -rf /' }), field: 'clusters[0].name' },
  { name: 'name with a Cyrillic homoglyph', text: one({ name: 'pr\u043ed' }), field: 'clusters[0].name' },
  { name: 'name with a NUL byte', text: one({ name: 'prod\u0000' }), field: 'clusters[0].name' },
  { name: 'name duplicated in the same account and region', text: text({ clusters: [cluster, { ...cluster, kubernetesVersion: '1.30' }] }), field: 'clusters[1].name' },
  { name: 'region with ../', text: one({ region: '../../us-east-1' }), field: 'clusters[0].region' },
  { name: 'accountId of 13 digits', text: one({ accountId: '1111222233334' }), field: 'clusters[0].accountId' },
  { name: 'kubernetesVersion a number', text: one({ kubernetesVersion: 1.29 }), field: 'clusters[0].kubernetesVersion' },
  { name: 'kubernetesVersion with a patch', text: one({ kubernetesVersion: '1.29.3' }), field: 'clusters[0].kubernetesVersion' },
  { name: 'status unknown', text: one({ status: 'BROKEN' }), field: 'clusters[0].status' },
  { name: 'platformVersion with $(…)', text: one({ platformVersion: 'eks.1$(id)' }), field: 'clusters[0].platformVersion' },
  { name: 'compute unknown', text: one({ compute: 'lambda' }), field: 'clusters[0].compute' },
  { name: 'nodes negative', text: one({ nodes: -3 }), field: 'clusters[0].nodes' },
  { name: 'nodes absurd', text: one({ nodes: 1e7 }), field: 'clusters[0].nodes' },
  { name: 'tags 51 entries', text: one({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }), field: 'clusters[0].tags' },
  { name: 'tag value with a NUL byte', text: one({ tags: { env: 'prod\u0000' } }), field: 'clusters[0].tags.env' },
  { name: 'addon.version without -eksbuild', text: withAddon({ version: 'v1.19.0' }), field: 'clusters[0].addon.version' },
  { name: 'addon.version with <script>', text: withAddon({ version: '<script>v1.19.0-eksbuild.1</script>' }), field: 'clusters[0].addon.version' },
  { name: 'addon.status unknown', text: withAddon({ status: 'BROKEN' }), field: 'clusters[0].addon.status' },
  { name: 'addon.configurationValues of 70,000 characters', text: withAddon({ configurationValues: `{"env":{"X":"${'x'.repeat(70_000)}"}}` }), field: 'clusters[0].addon.configurationValues' },
  { name: 'addon.serviceAccountRoleArn not an ARN', text: withAddon({ serviceAccountRoleArn: 'role/AmazonEKSVPCCNIRole' }), field: 'clusters[0].addon.serviceAccountRoleArn' },
  {
    name: 'addon.podIdentityAssociations 11 entries',
    text: withAddon({ podIdentityAssociations: Array.from({ length: 11 }, (_, i) => ({ serviceAccount: `sa-${i}`, roleArn: ROLE })) }),
    field: 'clusters[0].addon.podIdentityAssociations',
  },
  {
    name: 'pod identity serviceAccount with ../',
    text: withAddon({ podIdentityAssociations: [{ serviceAccount: '../aws-node', roleArn: ROLE }] }),
    field: 'clusters[0].addon.podIdentityAssociations[0].serviceAccount',
  },
  { name: 'both addon and selfManaged', text: one({ selfManaged: { version: 'v1.11.4' } }), field: 'clusters[0].addon' },
  { name: 'selfManaged.version a word', text: one({ addon: undefined, selfManaged: { version: 'latest' } }), field: 'clusters[0].selfManaged.version' },
  {
    name: 'selfManaged.env name with "; rm"',
    text: one({ addon: undefined, selfManaged: { version: 'v1.11.4', env: { 'X; rm -rf /': 'true' } } }),
    field: 'clusters[0].selfManaged.env["X; rm -rf /"]',
  },
  { name: 'faults[0].effect unknown', text: withFault({ effect: 'EXPLODE' }), field: 'clusters[0].faults[0].effect' },
  { name: 'faults[0].count 0', text: withFault({ count: 0 }), field: 'clusters[0].faults[0].count' },
  { name: 'faults[0].count negative', text: withFault({ count: -1 }), field: 'clusters[0].faults[0].count' },
  { name: 'faults[0].durationSeconds absurd', text: withFault({ effect: 'SLOW', durationSeconds: 1e9 }), field: 'clusters[0].faults[0].durationSeconds' },
  { name: 'faults[0].toVersion with a regex', text: withFault({ effect: 'STUCK', toVersion: 'v1.(19|20).*' }), field: 'clusters[0].faults[0].toVersion' },
  { name: 'faults[0].operation unknown', text: withFault({ operation: 'DeleteCluster' }), field: 'clusters[0].faults[0].operation' },
  { name: 'faults 51 entries', text: one({ faults: Array.from({ length: 51 }, () => ({ effect: 'THROTTLE' })) }), field: 'clusters[0].faults' },
  { name: 'settings.updateSeconds 0', text: one({}, { settings: { updateSeconds: 0 } }), field: 'settings.updateSeconds' },
  { name: 'settings.secondsPerNode negative', text: one({}, { settings: { secondsPerNode: -2 } }), field: 'settings.secondsPerNode' },
  { name: 'settings.oneMinorRule a string', text: one({}, { settings: { oneMinorRule: 'yes' } }), field: 'settings.oneMinorRule' },
];

describe('bad fleet files', () => {
  it.each(cases)('parseFleetFile refuses $name, naming $field', ({ text: fileText, field }) => {
    // Act
    const error = (() => {
      try {
        parseFleetFile(fileText);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    // Assess
    expect(error).toBeInstanceOf(InputValidationError);
    expect((error as InputValidationError).field).toBe(field);
    expect((error as InputValidationError).message.startsWith(`${field}: `)).toBe(true);
  });

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });
});

// Async execFile: the CLI is a separate node process (tsx), started the way an operator starts it.
const run = promisify(execFile);

describe('bad input through the real CLI process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-bad-input-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run('node', ['bin/cni-fleet.js', ...args], { cwd: process.cwd(), timeout: 60_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };

  it.concurrent.for([
    { name: 'rehearse: a cluster name with $(…)', command: 'rehearse', text: one({ name: '$(reboot)' }), args: [], field: 'clusters[0].name' },
    { name: 'rehearse: a duplicate cluster', command: 'rehearse', text: text({ clusters: [cluster, cluster] }), args: [], field: 'clusters[1].name' },
    { name: 'rehearse: a negative fault count', command: 'rehearse', text: withFault({ count: -1 }), args: [], field: 'clusters[0].faults[0].count' },
    { name: 'rehearse: an unknown cluster key', command: 'rehearse', text: one({ colour: 'blue' }), args: [], field: 'clusters[0].colour' },
    { name: 'rehearse: a target that is no EKS build', command: 'rehearse', text: one({}), args: ['--target', 'v1.20.0;id'], field: 'options.target' },
    { name: 'rehearse: --per-lane-concurrency 0', command: 'rehearse', text: one({}), args: ['--per-lane-concurrency', '0'], field: '--per-lane-concurrency' },
    { name: 'rehearse: --lanes-at-once 0', command: 'rehearse', text: one({}), args: ['--lanes-at-once', '0'], field: '--lanes-at-once' },
    { name: 'rehearse: --kubernetes-access sometimes', command: 'rehearse', text: one({}), args: ['--kubernetes-access', 'sometimes'], field: '--kubernetes-access' },
    { name: 'rehearse: --soak longer than 30 minutes', command: 'rehearse', text: one({}), args: ['--soak', '3600'], field: '--soak' },
    { name: 'plan: an add-on version that is no build', command: 'plan', text: withAddon({ version: 'v1.19' }), args: [], field: 'clusters[0].addon.version' },
  ])('$name → exit 2, stderr names $field', async ({ command, text: fileText, args, field }, { expect }) => {
    // Prepare
    const file = join(dir, `${field.replace(/[^\w]/g, '_')}-${command}-${args.join('_').replace(/[^\w]/g, '_')}.json`);
    await writeFile(file, fileText);
    const extra = command === 'rehearse' ? ['--data-dir', join(dir, 'dynamo'), '--report-dir', join(dir, 'reports')] : [];
    // Act
    const result = await cli([command, '--fleet', file, '--json', ...extra, ...args]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^cni-fleet( plan| rehearse| sim)?: ${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
