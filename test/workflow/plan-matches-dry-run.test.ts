import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// `cni-fleet plan` and a dry run of the workflow apply one set of rules (lib/plan/cluster-decision.ts): for every
// cluster of the sample fleet, the plan's outcome is what `rehearse --dry-run` records, through the real CLI, the
// real definitions, the simulator and dynalite.

const FLEET = join(import.meta.dirname, '../../examples/fleet.json');

interface PlanCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly outcome: string;
  readonly reasonCode: string | null;
}
interface ReportCluster {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly status: string;
  readonly error: { readonly name: string } | null;
}

describe('plan and rehearse --dry-run on the sample fleet', () => {
  let dir: string;
  let plan: PlanCluster[];
  let dryRun: ReportCluster[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cni-fleet-plan-dry-run-'));
    const env = cleanEnv(dir);
    const [planned, rehearsed] = await Promise.all([
      cli(['plan', '--fleet', FLEET, '--json'], env),
      cli(['rehearse', '--fleet', FLEET, '--dry-run', '--json', '--data-dir', join(dir, 'dynamo'), '--report-dir', join(dir, 'reports')], env),
    ]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(rehearsed.code, rehearsed.stderr).toBe(0);
    plan = (JSON.parse(planned.stdout) as { clusters: PlanCluster[] }).clusters;
    dryRun = (JSON.parse(rehearsed.stdout) as { clusters: ReportCluster[] }).clusters;
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reaches the same outcome for every cluster', () => {
    // Prepare
    const keyOf = (c: { accountId: string; region: string; name: string }) => `${c.accountId}/${c.region}/${c.name}`;
    // Act
    const planned = Object.fromEntries(plan.map((c) => [keyOf(c), c.outcome]));
    const recorded = Object.fromEntries(dryRun.map((c) => [keyOf(c), c.status]));
    // Assess
    expect(plan).toHaveLength(18);
    expect(recorded).toEqual(planned);
  });

  it('covers every kind of outcome the sample fleet shows, each for the same reason', () => {
    // Act
    const outcome = (name: string) => [plan.find((c) => c.name === name)?.outcome, plan.find((c) => c.name === name)?.reasonCode, dryRun.find((c) => c.name === name)?.error?.name ?? null];
    // Assess
    expect(outcome('payments-prod')).toEqual(['PLANNED', null, null]);
    expect(outcome('current-dev')).toEqual(['UNCHANGED', null, null]);
    expect(outcome('old-k8s-new-cni')).toEqual(['BLOCKED', 'MINOR_NOT_OFFERED', 'PlanBlockedError']);
    expect(outcome('selfmanaged-certs')).toEqual(['BLOCKED', 'UNTRANSLATABLE_SETTINGS', 'UntranslatableSettingsError']);
    expect(outcome('fargate-batch')).toEqual(['SKIPPED', 'FARGATE_ONLY', 'ClusterSkippedError']);
    expect(outcome('automode-lab')).toEqual(['SKIPPED', 'AUTO_MODE', 'ClusterSkippedError']);
    expect(outcome('sandbox-dev')).toEqual(['SKIPPED', 'OPTED_OUT', 'ClusterSkippedError']);
  });
});
