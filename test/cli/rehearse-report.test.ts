import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// `cni-fleet rehearse` through the real CLI process: its report files, and a fleet run that ends FAILED reported on
// one line with exit 3 (the code `start --wait` uses for a failed execution) — never a stack, always the report.
const fleetFile = (clusters: unknown[]) => JSON.stringify({ settings: { updateSeconds: 30, secondsPerNode: 0 }, clusters });
const upgradable = { name: 'fine', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' } };
const failing = { name: 'breaks', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*' }] };

describe('cni-fleet rehearse: report files and the fleet verdict', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-rehearse-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const rehearseIn = async (name: string, clusters: unknown[]) => {
    const fleet = join(dir, `${name}.json`);
    await writeFile(fleet, fleetFile(clusters));
    const reports = join(dir, `${name}-reports`);
    const result = await cli(['rehearse', '--fleet', fleet, '--speed', '2000', '--data-dir', join(dir, `${name}-data`), '--report-dir', reports], cleanEnv(dir));
    const files = (await readdir(reports)).sort();
    return { result, reports, files };
  };

  it('writes the JSON and HTML reports and exits 3 with one line when the fleet execution ends FAILED', async () => {
    // Act
    const { result, reports, files } = await rehearseIn('failing', [upgradable, failing]);
    const json = files.find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(await readFile(join(reports, json), 'utf8')) as { runId: string; execution: unknown; clusters: { name: string; status: string }[] };
    const html = await readFile(join(reports, json.replace(/\.json$/, '.html')), 'utf8');

    // Assess
    expect(result.code).toBe(3);
    const lastLine = result.stderr.trimEnd().split('\n').at(-1);
    expect(lastLine).toBe(`cni-fleet: fleet run ${report.runId} ended FAILED: 1 of 2 clusters FAILED`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(files).toEqual([`${report.runId}.html`, `${report.runId}.json`]);
    expect(report.execution).toEqual({ status: 'FAILED', error: 'FleetRunFailed', cause: '1 of 2 clusters FAILED' });
    expect(report.clusters.map((c) => [c.name, c.status]).sort()).toEqual([
      ['breaks', 'FAILED'],
      ['fine', 'UPGRADED'],
    ]);
    expect(html).toContain('fine');
    expect(html).toContain('breaks');
    expect(result.stdout).toContain(`Report: ${join(reports, report.runId)}.json`);
  });

  it('exits 0 when every cluster ends well, with the execution SUCCEEDED in the report', async () => {
    // Act
    const { result, reports, files } = await rehearseIn('fine', [upgradable]);
    const report = JSON.parse(await readFile(join(reports, files.find((f) => f.endsWith('.json'))!), 'utf8')) as { execution: unknown };

    // Assess
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('ended FAILED');
    expect(report.execution).toEqual({ status: 'SUCCEEDED', error: null, cause: null });
  });
});
