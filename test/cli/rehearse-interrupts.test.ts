import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import { OWNER_FILE } from '../../rehearsal/data-dir-owner.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { openLocalProgress } from '../../bin/actions/local-progress.js';
import { cleanEnv } from '../helpers/cli-process.js';
import { startRehearsal } from '../helpers/rehearsal-process.js';

// `cni-fleet rehearse` as an operator runs it, interrupted the ways a terminal interrupts it: Ctrl-C (SIGINT), a
// second rehearsal on the same folder, and kill -9. Each check reads the progress log the process left behind.
const SAMPLE_FLEET = join(import.meta.dirname, '../../examples/fleet.json');

/** The locks on `keys` and the run's open records, read from a folder no process holds any more. */
async function leftOpen(dataDir: string, runId: string, keys: readonly string[]) {
  const progress = await openLocalProgress(dataDir);
  try {
    const locks = (await Promise.all(keys.map((k) => progress.store.getLock(k)))).filter((l) => l !== null);
    const run = await progress.store.getRun(runId);
    const open = (await progress.store.listRunClusters(runId)).filter((r) => r.cluster?.status === 'RUNNING' || r.cluster?.status === 'PENDING');
    return { locks, run, open: open.map((r) => r.clusterKey) };
  } finally {
    await progress.close();
  }
}

const keyOf = (c: { name: string; region: string; accountId: string }) => `${c.accountId}/${c.region}/${c.name}`;
const latestReport = (dir: string): RehearsalReport => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return JSON.parse(readFileSync(join(dir, files.at(-1)!), 'utf8')) as RehearsalReport;
};

describe('cni-fleet rehearse, interrupted', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-interrupt-'));
    env = cleanEnv(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('Ctrl-C stops the run cleanly (locks released, ABORTED, report, exit 130); a second rehearsal meanwhile is refused on one line', async () => {
    // Prepare: the canary's first hop takes 3,000 virtual s (30 s at --speed 100), so the run is mid-hop for long.
    const fleetFile = join(dir, 'slow-fleet.json');
    const fleetJson = {
      settings: { updateSeconds: 30, secondsPerNode: 0 },
      clusters: [
        { name: 'slow-canary', region: 'us-east-1', kubernetesVersion: '1.29', tags: { 'cni-fleet/wave': 'canary' }, addon: { version: 'v1.19.6-eksbuild.7' }, faults: [{ effect: 'SLOW', durationSeconds: 3000 }] },
        { name: 'later-1', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' } },
        { name: 'later-2', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' } },
      ],
    };
    await writeFile(fleetFile, JSON.stringify(fleetJson));
    const keys = parseFleetFile(JSON.stringify(fleetJson)).clusters.map(keyOf);
    const dataDir = join(dir, 'ctrl-c', 'dynamo');
    const reportDir = join(dir, 'ctrl-c', 'reports');
    const args = ['--fleet', fleetFile, '--data-dir', dataDir, '--report-dir', reportDir, '--speed', '100'];
    const first = startRehearsal(args, env);
    await first.waitFor('slow-canary: updating');

    // Act
    const second = startRehearsal(args, env);
    const secondExit = await second.exit;
    first.child.kill('SIGINT');
    const firstExit = await first.exit;

    // Assess: the second one refused, naming the folder and the process, and changed nothing.
    expect(secondExit.code).toBe(1);
    const refusal = second.stderr().trim().split('\n');
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toMatch(
      new RegExp(`^cni-fleet rehearse: ${escape(dataDir)} is in use by process ${first.child.pid} \\(cni-fleet rehearse, run rehearsal-\\S+, since \\S+\\): wait for it to end or stop it, or pass another --data-dir$`),
    );
    expect(second.stderr()).not.toMatch(/\n\s+at /);
    // The interrupted one: exit 130, one line saying so, the report written with every cluster ABORTED.
    expect(firstExit.code).toBe(130);
    expect(first.stderr()).toContain('cni-fleet: interrupted: stopping the run');
    expect(first.stderr()).toMatch(/cni-fleet: interrupted: 3 cluster\(s\) ABORTED, their locks released; report .*\.json/);
    expect(first.stderr()).not.toMatch(/\n\s+at /);
    const report = latestReport(reportDir);
    expect(report.interrupted).toBe(true);
    expect(report.clusters.map((c) => [c.name, c.status])).toEqual(expect.arrayContaining([['slow-canary', 'ABORTED'], ['later-1', 'ABORTED'], ['later-2', 'ABORTED']]));
    expect(report.clusters.find((c) => c.name === 'slow-canary')?.hops.map((h) => h.status)).toEqual(['ABORTED']);
    expect(existsSync(`${join(reportDir, report.runId)}.html`)).toBe(true);
    // Nothing left open: no lock, no RUNNING record, the run ABORTED, the folder free again.
    const after = await leftOpen(dataDir, report.runId, keys);
    expect(after).toMatchObject({ locks: [], open: [], run: { status: 'ABORTED' } });
    expect(existsSync(join(dataDir, OWNER_FILE))).toBe(false);
  }, 120_000);

  it('kill -9 then restart, again and again, on one folder: each restart recovers the dead run; the sample fleet ends rehearsable, no stale lock', async () => {
    // Prepare
    const fleet = parseFleetFile(readFileSync(SAMPLE_FLEET, 'utf8'));
    const keys = fleet.clusters.map(keyOf);
    const dataDir = join(dir, 'kill-loop', 'dynamo');
    const reportDir = join(dir, 'kill-loop', 'reports');
    const args = ['--fleet', SAMPLE_FLEET, '--data-dir', dataDir, '--report-dir', reportDir, '--speed', '300'];
    const recoveries: string[] = [];

    // Act: three rehearsals killed mid-hop (a lock held each time), then one left to finish.
    for (let round = 0; round < 3; round += 1) {
      const killed = startRehearsal(args, env);
      await killed.waitFor(/: updating \(hop 1\//);
      killed.child.kill('SIGKILL');
      expect((await killed.exit).signal).toBe('SIGKILL');
      recoveries.push(...killed.stderr().split('\n').filter((l) => l.startsWith('cni-fleet: recovered')));
    }
    const last = startRehearsal(args, env);
    const lastExit = await last.exit;
    recoveries.push(...last.stderr().split('\n').filter((l) => l.startsWith('cni-fleet: recovered')));
    const report = latestReport(reportDir);
    const after = await leftOpen(dataDir, report.runId, keys);

    // Assess: every restart said on one line what it recovered, with a lock released each time.
    expect(recoveries).toHaveLength(3);
    for (const line of recoveries) expect(line).toMatch(new RegExp(`^cni-fleet: recovered ${escape(dataDir)} from process \\d+, .*: run rehearsal-\\S+ closed ABORTED, \\d+ cluster\\(s\\) closed ABORTED, [1-9]\\d* lock\\(s\\) released$`));
    // The sample fleet has FAILED clusters on purpose: its fleet run ends FAILED, exit 3, the report written.
    expect(lastExit.code, last.stderr()).toBe(3);
    const failed = report.clusters.filter((c) => c.status === 'FAILED').length;
    expect(failed).toBeGreaterThan(0);
    expect(last.stderr()).toContain(`cni-fleet: fleet run ${report.runId} ended FAILED: ${failed} of ${fleet.clusters.length} clusters FAILED`);
    expect(report.interrupted).toBe(false);
    expect(report.clusters).toHaveLength(fleet.clusters.length);
    // Every cluster got its own outcome: none refused by a lock a dead process left, none left open.
    expect(report.clusters.filter((c) => c.error?.name === 'LockHeldError').map((c) => c.name)).toEqual([]);
    expect(report.clusters.filter((c) => ['ABORTED', 'RUNNING', 'PENDING'].includes(c.status)).map((c) => c.name)).toEqual([]);
    expect(report.summary.byStatus['UPGRADED']).toBeGreaterThan(0);
    expect(after).toMatchObject({ locks: [], open: [], run: { status: expect.not.stringMatching(/RUNNING|ABORTED/) } });
  }, 300_000);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
