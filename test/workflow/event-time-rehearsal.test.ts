import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { rehearse } from '../../rehearsal/rehearsal.js';
import type { TransitionEvent } from '../../rehearsal/runner/workflow-runner.js';
import type { ProgressStore } from '../../lib/store/progress-store.js';

// The same definitions, handlers, simulator and dynalite as fleet-workflow.test.ts, on discrete-event virtual time
// (rehearsal/runner/virtual-timer.ts): Waits and Retry intervals pass in virtual time only.
const fleet = FleetFile.parse({
  settings: { updateSeconds: 60, secondsPerNode: 0 },
  clusters: [
    { name: 'two-hops', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' } },
    // Control plane busy for 300 virtual s: TakeSnapshot's Retry (ClusterNotActiveError, 30 s × 1.5) must wait it out.
    {
      name: 'busy-control-plane',
      region: 'us-east-1',
      kubernetesVersion: '1.29',
      addon: { version: 'v1.20.5-eksbuild.1' },
      faults: [{ effect: 'CLUSTER_UPDATING', durationSeconds: 300 }],
    },
  ],
});

describe('rehearsal on event-driven virtual time', () => {
  let report: RehearsalReport & { store: ProgressStore; close(): Promise<void> };
  const transitions: TransitionEvent[] = [];

  beforeAll(async () => {
    report = await rehearse({ fleet, virtualTime: 'event', options: { perLaneConcurrency: 2, failureThreshold: 0 }, onTransition: (t) => transitions.push(t) });
  });
  afterAll(() => report?.close());

  const cluster = (name: string) => report.clusters.find((c) => c.name === name)!;

  it('upgrades hop by hop to the default', () => {
    // Assess
    expect(cluster('two-hops')).toMatchObject({ status: 'UPGRADED', final: { addonVersion: 'v1.21.1-eksbuild.8', status: 'ACTIVE' } });
    expect(cluster('two-hops').hops.map((h) => h.version)).toEqual(['v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8']);
  });

  it('waits out a busy control plane through the Retry intervals, in virtual time', () => {
    // Assess
    const busy = cluster('busy-control-plane');
    expect(busy.status).toBe('UPGRADED');
    const retries = transitions.filter((t) => t.kind === 'retried' && t.stateName === 'TakeSnapshot');
    // 30 + 45 + 67.5 + 101.25 = 243.75 s < 300 s ≤ 30 + … + 151.875 s: five retries, not one more.
    expect(retries).toHaveLength(5);
    expect(Date.parse(busy.hops[0]!.startedAt) - Date.parse(cluster('two-hops').hops[0]!.startedAt)).toBeGreaterThanOrEqual(300_000);
  });

  it('reports every state entered, Choice and Wait states included', () => {
    // Assess
    const child = transitions.filter((t) => t.machine === 'UpgradeClusterStateMachine' && t.kind === 'entered');
    const types = new Set(child.map((t) => t.stateType));
    expect(types).toEqual(new Set(['Task', 'Choice', 'Wait']));
    // Per hop at least ApplyHop, WaitForHop, PollHop (which records the hop done), IsHopDone.
    const applies = child.filter((t) => t.stateName === 'ApplyHop').length;
    expect(applies).toBe(3);
    expect(child.filter((t) => t.stateName === 'IsHopDone').length).toBe(child.filter((t) => t.stateName === 'PollHop').length);
    const fleetStates = transitions.filter((t) => t.machine === 'UpgradeFleetStateMachine').map((t) => t.stateName);
    expect(fleetStates).toEqual(expect.arrayContaining(['ValidateFleetInput', 'PlanLanes', 'DiscoverLanes', 'IndexWaves', 'CheckFailureBudget', 'UpgradeWave', 'SummarizeRun']));
  });
});
