import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultOptions } from '../../lib/schemas/upgrade-options.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { cleanEnv, cli, type CliResult } from '../helpers/cli-process.js';

// The whole operator flow without AWS, through the compiled CLI: rehearse → runs → status --only → report →
// retry → rehearse the retry. EKS's own words reach the terminal in two places (a failed update's message, a
// health issue), here carrying terminal control sequences that must never reach a terminal or a report.
const HOSTILE = 'Conflicts found\u001b[2J\u001b]0;pwned\u0007 in\u009b31m aws-node\u001b[0m resources; the end of a long message that a table must wrap, not cut';
const FLEET = {
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    { name: 'canary', region: 'us-east-1', kubernetesVersion: '1.29', tags: { 'cni-fleet/wave': 'canary' }, addon: { version: 'v1.19.6-eksbuild.7' } },
    { name: 'conflict', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*', errorCode: 'ConfigurationConflict', errorMessage: HOSTILE }] },
    { name: 'sick', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'DEGRADED', toVersion: 'v1.21.*', errorMessage: HOSTILE }] },
    { name: 'current', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.21.1-eksbuild.8' } },
  ],
};
// Any ESC, BEL or C1 control character: none may be printed.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0007\u001b\u0080-\u009f]/;

describe('the local operator flow through the compiled CLI', () => {
  let dir: string;
  let fleetFile: string;
  let dataDir: string;
  let reportDir: string;
  let env: NodeJS.ProcessEnv;
  let rehearsal: CliResult;
  let report: RehearsalReport;
  const run = (args: string[], extra: Record<string, string> = {}): Promise<CliResult> => cli(args, { ...env, ...extra });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-flow-'));
    fleetFile = join(dir, 'fleet.json');
    dataDir = join(dir, 'data');
    reportDir = join(dir, 'reports');
    await writeFile(fleetFile, JSON.stringify(FLEET));
    env = cleanEnv(dir);
    // No --failure-threshold: the workflow's own default applies, as in a deployed run.
    rehearsal = await run(['rehearse', '--fleet', fleetFile, '--data-dir', dataDir, '--report-dir', reportDir, '--speed', '2000']);
    const json = (await import('node:fs/promises')).readdir(reportDir).then((files) => files.find((f) => f.endsWith('.json'))!);
    report = JSON.parse(await readFile(join(reportDir, await json), 'utf8')) as RehearsalReport;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rehearses: a table without control sequences, a FAILED row with the version it reached and its whole note', () => {
    // Assess
    // FAILED clusters end the fleet run FAILED: exit 3 and one line with the cause, the report written all the same.
    expect(rehearsal.code).toBe(3);
    expect(rehearsal.stderr).toContain(`ended FAILED: 2 of 4 clusters FAILED`);
    expect(report.summary.byStatus).toEqual({ UPGRADED: 1, FAILED: 2, UNCHANGED: 1 });
    expect(rehearsal.stdout).not.toMatch(CONTROL);
    expect(rehearsal.stderr).not.toMatch(CONTROL);
    const conflict = report.clusters.find((c) => c.name === 'conflict')!;
    // It moved v1.19 → v1.20 and failed on the way to v1.21: it runs v1.20 now.
    expect(conflict).toMatchObject({ status: 'FAILED', from: 'v1.19.6-eksbuild.7', reached: 'v1.20.5-eksbuild.1', to: 'v1.21.1-eksbuild.8' });
    const row = rehearsal.stdout.split('\n').filter((l) => l.includes('│')).join(' ');
    expect(row).toMatch(/conflict\s+│ FAILED\s+│ v1\.19\.6-eksbuild\.7\s+│ v1\.20\.5-eksbuild\.1\s+│ v1\.21\.1-eksbuild\.8/);
    // Wrapped over several lines, but every word is there, to the last.
    expect(row.replace(/[│\s]+/g, ' ')).toContain('wrap, not cut');
  });

  it('takes the workflow\'s defaults when an option is not given (one source of defaults)', async () => {
    // Act
    const runs = await run(['runs', '--local', dataDir, '--output', 'json']);

    // Assess
    const doc = JSON.parse(runs.stdout) as { runs: { runId: string }[] };
    const retried = await run(['retry', doc.runs[0]!.runId, '--local', dataDir, '--out', join(dir, 'defaults.json')]);
    expect(retried.code).toBe(0);
    const input = JSON.parse(await readFile(join(dir, 'defaults.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(input.options).toEqual(defaultOptions());
  });

  it('lists the run with its clusters counted by outcome (text output and --query)', async () => {
    // Act
    const result = await run(['runs', '--local', dataDir, '--output', 'text', '--query', 'runs[].[runId, clusters, byStatus.FAILED]']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${report.runId}\t4\t2\n`);
  });

  it('shows only the FAILED clusters of the run, in JSON and as a table without control sequences', async () => {
    // Act
    // One at a time: a LevelDB folder serves one process.
    const json = await run(['status', report.runId, '--local', dataDir, '--only', 'FAILED', '--output', 'json']);
    const table = await run(['status', report.runId, '--local', dataDir, '--only', 'failed']);

    // Assess
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { clusters: { name: string; status: string; version: string }[] };
    expect(doc.clusters.map((c) => [c.name, c.status]).sort()).toEqual([['conflict', 'FAILED'], ['sick', 'FAILED']]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('conflict');
    expect(table.stdout).not.toContain('canary');
    expect(table.stdout).not.toMatch(CONTROL);
  });

  it('colours only when asked: FORCE_COLOR colours a pipe, NO_COLOR and --no-color win', async () => {
    // Act
    const withoutNoColor = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'NO_COLOR'));
    const forced = await cli(['status', report.runId, '--local', dataDir], { ...withoutNoColor, FORCE_COLOR: '1' });
    const noColor = await cli(['status', report.runId, '--local', dataDir], { ...env, FORCE_COLOR: '1', NO_COLOR: '1' });
    const flag = await cli(['status', report.runId, '--local', dataDir, '--no-color'], { ...withoutNoColor, FORCE_COLOR: '1' });

    // Assess: the check below can fail — a forced terminal does get colours.
    expect(noColor.stdout).not.toMatch(CONTROL);
    expect(flag.stdout).not.toMatch(CONTROL);
    expect(forced.stdout).toContain('\u001b[');
    // ...but never EKS's own sequences.
    expect(forced.stdout).not.toContain('\u001b[2J');
  });

  it('reads a cluster\'s history without control sequences', async () => {
    // Act
    const result = await run(['history', '--cluster', 'sick', '--local', dataDir]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('AddonUnhealthyError');
    expect(result.stdout).not.toMatch(CONTROL);
  });

  it('writes the run\'s HTML report from the log: every cluster, escaped, no control sequence', async () => {
    // Prepare
    const out = join(dir, 'from-log', 'run.html');

    // Act
    const result = await run(['report', report.runId, '--local', dataDir, '--out', out]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(out);
    const html = await readFile(out, 'utf8');
    for (const name of ['canary', 'conflict', 'sick', 'current']) expect(html).toContain(`<div class="name">${name}</div>`);
    expect(html).not.toMatch(CONTROL);
    expect(html).toContain('Conflicts found in aws-node resources');
  });

  it('retries the FAILED clusters: writes a valid input that a rehearsal runs', async () => {
    // Prepare
    const out = join(dir, 'retry.json');

    // Act
    const retry = await run(['retry', report.runId, '--local', dataDir, '--out', out]);
    const again = await run(['rehearse', '--fleet', fleetFile, '--input', out, '--data-dir', join(dir, 'data-2'), '--report-dir', join(dir, 'reports-2'), '--speed', '2000', '--output', 'json']);

    // Assess
    expect(retry.code).toBe(0);
    expect(retry.stdout).toContain(`Wrote ${out}: 2 FAILED cluster(s)`);
    const input = JSON.parse(await readFile(out, 'utf8')) as { clusters: { name: string; accountId: string }[]; trigger: string };
    expect(input.clusters.map((c) => c.name).sort()).toEqual(['conflict', 'sick']);
    expect(input.trigger).toBe('cli');
    // The retried clusters fail again (their faults are in the fleet file): exit 3, the report on stdout.
    expect(again.code).toBe(3);
    const second = JSON.parse(again.stdout) as RehearsalReport;
    expect(second.clusters.map((c) => c.name).sort()).toEqual(['conflict', 'sick']);
  });

  it('says so when nothing needs a retry, writing nothing', async () => {
    // Act
    const result = await run(['retry', report.runId, '--local', dataDir, '--only', 'BLOCKED', '--out', join(dir, 'none.json')]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`No BLOCKED cluster in run ${report.runId}: nothing to retry.\n`);
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
  });

  it('shows a dry run\'s planned hops; a cluster at its target reads UNCHANGED', async () => {
    // Act
    const [json, table] = await Promise.all([
      run(['rehearse', '--fleet', fleetFile, '--dry-run', '--data-dir', join(dir, 'dry-json'), '--report-dir', join(dir, 'dry-reports'), '--speed', '2000', '--output', 'json']),
      run(['rehearse', '--fleet', fleetFile, '--dry-run', '--data-dir', join(dir, 'dry-table'), '--report-dir', join(dir, 'dry-reports'), '--speed', '2000']),
    ]);

    // Assess
    const dry = JSON.parse(json.stdout) as RehearsalReport;
    expect(dry.dryRun).toBe(true);
    expect(Object.fromEntries(dry.clusters.map((c) => [c.name, c.status]))).toEqual({ canary: 'PLANNED', conflict: 'PLANNED', sick: 'PLANNED', current: 'UNCHANGED' });
    expect(dry.clusters.find((c) => c.name === 'conflict')!.plannedHops.map((h) => h.to)).toEqual(['v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8']);
    expect(dry.summary.eksMutatingCalls).toBe(0);
    expect(table.stdout).toContain('Planned hops');
    expect(table.stdout).toMatch(/conflict\s+│ PLANNED\s+│ v1\.19\.6-eksbuild\.7\s+│ v1\.20\.5-eksbuild\.1/);
    const html = await readFile(join(dir, 'dry-reports', `${dry.runId}.html`), 'utf8');
    expect(html).toContain('Planned path (dry run: nothing was changed)');
    expect(html).toMatch(/<span class="v" title="hop 2 \(minor\)">v1\.21\.1-eksbuild\.8<\/span>/);
  });
});

describe('the command line\'s edges: bad files and folders are refused before anything runs', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let fleetFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-edges-'));
    env = cleanEnv(dir);
    fleetFile = join(dir, 'fleet.json');
    await writeFile(fleetFile, JSON.stringify(FLEET));
    await writeFile(join(dir, 'a-file'), 'not a folder');
    await mkdir(join(dir, 'a-folder'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // [what, arguments, the option named, the reason]
  const cases: [string, (d: string) => string[], string, string][] = [
    ['rehearse: a missing --fleet', (d) => ['rehearse', '--fleet', join(d, 'missing.json'), '--data-dir', join(d, 'data')], '--fleet', 'no such file'],
    ['rehearse: a folder as --fleet', (d) => ['rehearse', '--fleet', join(d, 'a-folder'), '--data-dir', join(d, 'data')], '--fleet', 'is a folder, not a file'],
    ['rehearse: a missing --input', (d) => ['rehearse', '--fleet', join(d, 'fleet.json'), '--input', join(d, 'missing.json'), '--data-dir', join(d, 'data')], '--input', 'no such file'],
    ['rehearse: a file as --report-dir', (d) => ['rehearse', '--fleet', join(d, 'fleet.json'), '--report-dir', join(d, 'a-file'), '--data-dir', join(d, 'data')], '--report-dir', 'is a file, not a folder'],
    ['rehearse: a file as --data-dir', (d) => ['rehearse', '--fleet', join(d, 'fleet.json'), '--data-dir', join(d, 'a-file')], '--data-dir', 'is a file, not a folder'],
    ['plan: a missing --fleet', (d) => ['plan', '--fleet', join(d, 'missing.json')], '--fleet', 'no such file'],
    ['plan: a missing --input', (d) => ['plan', '--input', join(d, 'missing.json'), '--region', 'us-east-1'], '--input', 'no such file'],
    ['sim: a missing --fleet', (d) => ['sim', '--fleet', join(d, 'missing.json')], '--fleet', 'no such file'],
    ['start: a missing --input', (d) => ['start', '--input', join(d, 'missing.json'), '--stage', 'dev', '--region', 'us-east-1'], '--input', 'no such file'],
    ['report: a folder as --out', (d) => ['report', 'run-1', '--local', join(d, 'data'), '--out', join(d, 'a-folder')], '--out', 'is a folder, not a file'],
  ];

  it.each(cases)('%s → exit 2, one line naming the option', async (_what, args, option, reason) => {
    // Act
    const result = await cli(args(dir), env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^cni-fleet [a-z]+: (\\S+: )?${option}: .*${reason}`));
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    // Nothing ran: no progress log was created.
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('exits 2 for a usage error (an unknown option), with a hint instead of a stack', async () => {
    // Act
    const result = await cli(['plan', '--fleeet', fleetFile], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("error: unknown option '--fleeet'\n(Did you mean --fleet?)\n(add --help for usage)\n");
  });

  it('exits 2 naming --query for an expression that is not JMESPath, before anything runs', async () => {
    // Act
    const result = await cli(['plan', '--fleet', fleetFile, '--query', 'clusters[?'], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^cni-fleet plan: --query: "clusters\[\?" is not a JMESPath expression/);
  });

  it('prints its version, and lists every command in --help', async () => {
    // Act
    const [version, help] = await Promise.all([cli(['--version'], env), cli(['--help'], env)]);

    // Assess
    const pkg = JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(version).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(help.code).toBe(0);
    for (const command of ['plan', 'rehearse', 'sim', 'start', 'status', 'runs', 'retry', 'report', 'history']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
