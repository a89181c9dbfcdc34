import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { TaskEvent } from '../../rehearsal/runner/workflow-runner.js';
import { startLocalWorkflow, type LocalWorkflow } from '../invariants/local-workflow.js';

// Maintenance windows (the cluster tag cni-fleet/window, docs/operating-a-run.md) through the real workflows on
// discrete-event time: a cluster outside its window waits for it (bounded) or is deferred, and its record says which.

const HOUR = 3_600_000;

/** `daily HH:MM-HH:MM UTC` opening `fromNow` ms after `now` (rounded up to the minute), `hours` long. */
function dailyWindow(now: number, fromNow: number, hours = 2): { tag: string; opensAt: number } {
  const opensAt = Math.ceil((now + fromNow) / 60_000) * 60_000;
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return { tag: `daily ${hhmm(opensAt)}-${hhmm(opensAt + hours * HOUR)} UTC`, opensAt };
}

const cluster = (name: string, window?: string) => ({
  name,
  region: 'us-east-1',
  kubernetesVersion: '1.29',
  addon: { version: 'v1.20.5-eksbuild.1' },
  ...(window !== undefined ? { tags: { 'cni-fleet/window': window } } : {}),
});

/** When a cluster's first change was asked of EKS (its first ApplyHop), in virtual ms. */
const firstChange = (events: readonly TaskEvent[], name: string): number | undefined =>
  events.find((e) => e.functionKey === 'applyHop' && (e.input as { cluster?: { name?: string } }).cluster?.name === name)?.startedAt;

describe('maintenance windows', () => {
  let workflow: LocalWorkflow;
  beforeAll(async () => {
    workflow = await startLocalWorkflow();
  });
  afterAll(() => workflow?.close());

  it('waits for a window that opens later (simulated time), starts nobody else late, and records the wait', async () => {
    // Prepare: one cluster's window opens in 3 h; one has no window; one's window is open now
    const probe = await workflow.load(FleetFile.parse({ clusters: [cluster('probe')] }));
    const now = probe.sim.clock.now();
    await probe.close();
    const later = dailyWindow(now, 3 * HOUR);
    const open = dailyWindow(now, -HOUR, 4);
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('later', later.tag), cluster('free'), cluster('open', open.tag)] });
    const loaded = await workflow.load(fleet);
    const startedAt = loaded.sim.clock.now();

    // Act
    const output = (await workflow.runFleet({ runId: 'windows', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })) }, 'windows')) as { status?: string };
    const records = Object.fromEntries((await loaded.store.listRunClusters('windows')).map((r) => [r.cluster?.clusterName, r.cluster]));
    const changes = Object.fromEntries(['later', 'free', 'open'].map((n) => [n, firstChange(loaded.events, n)]));
    await loaded.close();

    // Assess
    expect(output.status).toBe('SUCCEEDED');
    expect(changes['later']).toBeGreaterThanOrEqual(later.opensAt);
    expect(changes['later']! - later.opensAt).toBeLessThan(60_000);
    expect(changes['free']! - startedAt).toBeLessThan(300_000);
    expect(changes['open']! - startedAt).toBeLessThan(300_000);
    expect(records['later']).toMatchObject({
      status: 'UPGRADED',
      hold: null,
      holds: [{ kind: 'window', outcome: 'started', to: expect.any(String) }],
      window: { text: later.tag, open: true },
    });
    expect(records['later']?.holds?.[0]?.reason).toContain(`it opens ${new Date(later.opensAt).toISOString()}`);
    expect(records['open']).toMatchObject({ status: 'UPGRADED', window: { open: true } });
    expect(records['free']?.window).toBeUndefined();
  });

  it('defers a cluster outside its window when the run says so, or when the window opens beyond maxWaitSeconds', async () => {
    // Prepare
    const probe = await workflow.load(FleetFile.parse({ clusters: [cluster('probe')] }));
    const now = probe.sim.clock.now();
    await probe.close();
    const later = dailyWindow(now, 3 * HOUR);
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('later', later.tag)] });

    for (const [runId, windows, why] of [
      ['defer', { outside: 'defer' }, 'options.windows.outside is defer'],
      ['too-far', { maxWaitSeconds: 3600 }, 'it opens beyond windows.maxWaitSeconds (3600 s) of waiting'],
    ] as const) {
      const loaded = await workflow.load(fleet);
      // Act
      const output = (await workflow.runFleet({ runId, trigger: 'local', clusters: [{ name: 'later', region: 'us-east-1' }], options: { windows } }, runId)) as { status?: string };
      const record = await loaded.store.getCluster(runId, '111122223333/us-east-1/later');
      const mutating = loaded.sim.count({ mutating: true });
      await loaded.close();
      // Assess: deferred to the next run, nothing changed; SKIPPED is an outcome, not a failure of the run
      expect(output.status).toBe('SUCCEEDED');
      expect(mutating).toBe(0);
      expect(record?.status).toBe('SKIPPED');
      expect(record?.error?.name).toBe('OutsideMaintenanceWindowError');
      expect(record?.error?.message).toBe(
        `111122223333/us-east-1/later deferred to the next run: outside its maintenance window "${record?.window?.text ?? ''}" (opens ${new Date(later.opensAt).toISOString()}); ${why}`,
      );
    }
  });

  it('leaves a cluster whose window tag cannot be read BLOCKED, naming the tag, and shows a window in a dry run', async () => {
    // Prepare
    const probe = await workflow.load(FleetFile.parse({ clusters: [cluster('probe')] }));
    const now = probe.sim.clock.now();
    await probe.close();
    const later = dailyWindow(now, 5 * HOUR);
    const fleet = FleetFile.parse({ settings: { updateSeconds: 60, secondsPerNode: 0 }, clusters: [cluster('typo', 'Saturday 2am'), cluster('later', later.tag)] });
    const loaded = await workflow.load(fleet);

    // Act
    await workflow.runFleet({ runId: 'dry-windows', trigger: 'local', clusters: fleet.clusters.map((c) => ({ name: c.name, region: c.region })), options: { dryRun: true } }, 'dry-windows');
    const records = Object.fromEntries((await loaded.store.listRunClusters('dry-windows')).map((r) => [r.cluster?.clusterName, r.cluster]));
    const elapsed = loaded.sim.clock.now() - now;
    await loaded.close();

    // Assess: the dry run waits for nothing and shows when the cluster could start
    expect(records['typo']).toMatchObject({ status: 'BLOCKED', error: { name: 'MaintenanceWindowTagError' } });
    expect(records['typo']?.error?.message).toContain('tag cni-fleet/window="Saturday 2am" is not a maintenance window');
    expect(records['later']).toMatchObject({ status: 'PLANNED', window: { open: false, earliestStart: new Date(later.opensAt).toISOString() } });
    expect(elapsed).toBeLessThan(HOUR);
  });
});
