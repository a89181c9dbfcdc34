import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSimulator, type TestSimulator } from '../helpers/start-simulator.js';

// Async execFile: a sync call would block the event loop that serves the in-process simulator
// (docs/toolchain.md#running-clis-from-a-test-that-hosts-the-simulator).
const execFileAsync = promisify(execFile);
const hasAws = spawnSync('which', ['aws']).status === 0;

describe('the real AWS CLI against the simulator', () => {
  let sim: TestSimulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await execFileAsync('aws', ['eks', ...args, '--endpoint-url', sim.endpoint, '--region', 'us-east-1', '--output', 'json'], {
      env,
    });
    return JSON.parse(stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    sim = await startTestSimulator({
      settings: { updateSeconds: 600, secondsPerNode: 0 },
      clusters: [{ name: 'cli-cluster', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1', configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}' } }],
    });
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-aws-cli-'));
    await writeFile(join(dir, 'config'), '');
    await writeFile(join(dir, 'credentials'), '');
    // Keep PATH/HOME (pyenv shims need them); replace every AWS_* setting with dummies and empty files.
    env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: 'AKIDCLITEST',
      AWS_SECRET_ACCESS_KEY: 'cli-secret',
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasAws)('describe-addon, update-addon and describe-addon-versions work unchanged', async () => {
    // Act: describe then update, with the independent describe-addon-versions alongside
    const describeThenUpdate = async () => {
      const described = await aws('describe-addon', '--cluster-name', 'cli-cluster', '--addon-name', 'vpc-cni');
      const updated = await aws(
        'update-addon',
        '--cluster-name',
        'cli-cluster',
        '--addon-name',
        'vpc-cni',
        '--addon-version',
        'v1.19.0-eksbuild.1',
        '--resolve-conflicts',
        'PRESERVE',
      );
      return { described, updated };
    };
    const [{ described, updated }, versions] = await Promise.all([
      describeThenUpdate(),
      aws('describe-addon-versions', '--kubernetes-version', '1.29', '--addon-name', 'vpc-cni'),
    ]);
    // Assess
    expect(described.addon).toMatchObject({
      addonName: 'vpc-cni',
      clusterName: 'cli-cluster',
      status: 'ACTIVE',
      addonVersion: 'v1.18.1-eksbuild.1',
      configurationValues: '{"env":{"WARM_IP_TARGET":"5"}}',
    });
    expect(typeof (described.addon as { createdAt: unknown }).createdAt).toBe('number');
    expect(updated.update).toMatchObject({
      status: 'InProgress',
      type: 'AddonUpdate',
      params: [
        { type: 'AddonVersion', value: 'v1.19.0-eksbuild.1' },
        { type: 'ResolveConflicts', value: 'PRESERVE' },
      ],
    });
    const addons = versions.addons as { addonName: string; addonVersions: { compatibilities: { clusterVersion: string; defaultVersion: boolean }[] }[] }[];
    expect(addons[0]?.addonName).toBe('vpc-cni');
    expect(addons[0]?.addonVersions.filter((v) => v.compatibilities.some((c) => c.defaultVersion))).toHaveLength(1);
    expect(sim.count({ cluster: 'cli-cluster', operation: 'UpdateAddon', mutating: true })).toBe(1);
    // The CLI signs like the SDK: the region came from its SigV4 credential scope.
    expect(sim.calls.every((c) => c.region === 'us-east-1')).toBe(true);
  });

  it.skipIf(!hasAws)('prints EKS errors with their code and message', async () => {
    // Act
    const failure = await aws('describe-addon', '--cluster-name', 'no-such-cluster', '--addon-name', 'vpc-cni').then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    // Assess
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain('(ResourceNotFoundException) when calling the DescribeAddon operation: No cluster found for name: no-such-cluster.');
  });
});
