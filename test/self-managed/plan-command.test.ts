import { stripVTControlCharacters } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli } from '../helpers/cli-process.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import { startSimulator, type Simulator } from '../../sim/server.js';

const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const FLEET = {
  clusters: [
    {
      name: 'sm',
      kubernetesVersion: '1.28',
      selfManaged: {
        version: 'v1.15.1',
        env: { WARM_IP_TARGET: '3', POD_MTU: '8500' },
        serviceAccountRoleArn: ROLE,
        extras: { volumes: [{ name: 'custom-certs', hostPath: { path: '/etc/custom-certs' } }] },
      },
    },
  ],
};

interface PlanJson {
  clusters: { name: string; install: string; notes: string[]; migration?: { carried: string[]; notCarried: string[]; serviceAccountRoleArn: string | null } }[];
}

/** Runs the compiled `cni-fleet plan` as a process (async: the simulator in this process keeps serving). */
async function plan(args: string[], dir: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const result = await cli(['plan', ...args], cleanEnv(dir, env));
  return { code: result.code, out: result.stdout + result.stderr };
}

describe('cni-fleet plan for a self-managed cluster', () => {
  let dir: string;
  let sim: Simulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-sm-plan-'));
    await writeFile(join(dir, 'fleet.json'), JSON.stringify(FLEET));
    sim = await startSimulator({ fleet: parseFleetFile(JSON.stringify(FLEET)), unref: true });
  });
  afterAll(async () => {
    await sim?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists, offline from a fleet file, the settings carried over and those that will not be', async () => {
    // Act
    const { code, out } = await plan(['--fleet', join(dir, 'fleet.json'), '--json'], dir);
    // Assess
    expect(code).toBe(0);
    const cluster = (JSON.parse(out) as PlanJson).clusters[0]!;
    expect(cluster.migration).toEqual({
      carried: ['env.WARM_IP_TARGET=3'],
      notCarried: [
        '.spec.template.spec.volumes[name="custom-certs"]: the add-on has no configuration key for extra volumes',
        expect.stringMatching(/^\.spec\.template\.spec\.containers\[name="aws-node"\]\.env\[name="POD_MTU"\]: v1\.15\.5-eksbuild\.1's configuration schema refuses it/),
      ],
      serviceAccountRoleArn: ROLE,
    });
  });

  it('shows the same when reading AWS (the cluster API through DescribeCluster\'s endpoint), in the table', async () => {
    // Act
    const { code, out } = await plan(['--region', 'us-east-1'], dir, { AWS_ENDPOINT_URL_EKS: sim.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    // Assess
    expect(code).toBe(0);
    // A pipe gets no colour, CI or not.
    expect(out).toBe(stripVTControlCharacters(out));
    const text = out.replace(/[│\s]+/g, ' ');
    expect(text).toContain('note: carried over: env.WARM_IP_TARGET=3');
    expect(text).toContain(`note: IRSA role carried over: ${ROLE}`);
    expect(text).toContain('note: NOT carried over: .spec.template.spec.volumes[name="custom-certs"]');
  });
});
