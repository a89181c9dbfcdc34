import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAddonCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT, startSimCommand } from '../../bin/actions/sim.js';
import { TEST_CREDENTIALS } from '../helpers/start-simulator.js';

const GOOD = { clusters: [{ name: 'cmd-cluster', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } }] };

describe('cni-fleet sim', () => {
  let dir: string;
  let good: string;
  let bad: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-sim-'));
    good = join(dir, 'good.json');
    bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify(GOOD));
    await writeFile(bad, JSON.stringify({ clusters: [{ name: 'c1', kubernetesVersion: '1.29', addon: { version: 'latest' } }] }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the fleet and prints the endpoint and an aws CLI example', async () => {
    // Prepare
    const out: string[] = [];
    const err: string[] = [];
    // Act
    const sim = await startSimCommand({ fleet: good, speed: '50' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
    if (typeof sim === 'number') throw new Error(`exit ${sim}: ${err.join('\n')}`);
    const eks = new EKSClient({ endpoint: sim.endpoint, region: 'eu-west-1', credentials: TEST_CREDENTIALS });
    const { addon } = await eks.send(new DescribeAddonCommand({ clusterName: 'cmd-cluster', addonName: 'vpc-cni' }));
    eks.destroy();
    await sim.close();
    // Assess
    expect(err).toEqual([]);
    expect(out.join('\n')).toContain(sim.endpoint);
    expect(out.join('\n')).toContain(
      `aws eks describe-addon --cluster-name cmd-cluster --addon-name vpc-cni --endpoint-url ${sim.endpoint} --region eu-west-1`,
    );
    expect(sim.clock.speed).toBe(50);
    expect(addon?.addonVersion).toBe('v1.18.1-eksbuild.1');
  });

  it('refuses a bad fleet file with one line naming the field', async () => {
    // Prepare
    const err: string[] = [];
    // Act
    const result = await startSimCommand({ fleet: bad }, { out: () => undefined, err: (l) => err.push(l) });
    // Assess
    expect(result).toBe(EXIT_BAD_INPUT);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^cni-fleet sim: .*bad\.json: clusters\[0\]\.addon\.version: /);
  });

  it('refuses a bad --speed and a missing file', async () => {
    // Prepare
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l) };
    // Act
    const badSpeed = await startSimCommand({ fleet: good, speed: 'fast' }, io);
    const missing = await startSimCommand({ fleet: join(dir, 'missing.json') }, io);
    // Assess
    expect([badSpeed, missing]).toEqual([EXIT_BAD_INPUT, EXIT_BAD_INPUT]);
    expect(err[0]).toBe('cni-fleet sim: --speed: "fast" is not valid');
    expect(err[1]).toContain('missing.json');
  });

  it('as a process: exits 2 on a bad fleet file, and stops cleanly on SIGINT', async () => {
    // Prepare
    const run = (fleet: string) => spawn(process.execPath, ['bin/cni-fleet.js', 'sim', '--fleet', fleet], { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (child: ReturnType<typeof run>) => {
      const output = { stdout: '', stderr: '' };
      child.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { output, exited };
    };
    // Act
    const refused = collect(run(bad));
    const serving = run(good);
    const served = collect(serving);
    await new Promise<void>((resolve, reject) => {
      serving.stdout?.on('data', () => served.output.stdout.includes('Ctrl-C') && resolve());
      serving.on('exit', () => reject(new Error(`exited early: ${served.output.stderr}`)));
    });
    serving.kill('SIGINT');
    const [refusedCode, servedCode] = await Promise.all([refused.exited, served.exited]);
    // Assess
    expect(refusedCode).toBe(2);
    expect(refused.output.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.output.stderr).toContain('clusters[0].addon.version');
    expect(servedCode).toBe(0);
    expect(served.output.stdout).toMatch(/Stopped after 0 request\(s\)\./);
  });
});
