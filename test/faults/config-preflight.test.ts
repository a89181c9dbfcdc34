import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { RehearsalReport } from '../../rehearsal/rehearsal.js';
import { rehearse } from '../../rehearsal/rehearsal.js';
import type { ProgressStore, RunClusterRecords } from '../../lib/store/progress-store.js';
import { matrixRow } from './fault-matrix.js';
import { keyOf } from './fault-rig.js';

// configurationValues valid for the installed build but not for a build on the path. The simulator's schemas
// (sim/configuration-schemas.ts) only gain keys with newer builds, so the path that meets an older schema is a
// downgrade: v1.15.5 → v1.14.1 → v1.13.4, and env.ENABLE_V4_EGRESS arrived in v1.15.1
// (docs/vpc-cni-settings.md#aws-node-environment-variables). The first schema to refuse it is the intermediate
// v1.14.1's: naming that version, not the target's, shows every hop's schema is checked, in order, before the first
// change.
const CONFIG = '{"env":{"ENABLE_V4_EGRESS":"false","WARM_IP_TARGET":"5"}}';

describe('fault matrix: configuration invalid for a version on the path', () => {
  let report: RehearsalReport & { store: ProgressStore; close(): Promise<void> };
  let records: RunClusterRecords;

  beforeAll(async () => {
    const fleet = FleetFile.parse({ clusters: [{ name: 'egress', kubernetesVersion: '1.28', addon: { version: 'v1.15.5-eksbuild.1', configurationValues: CONFIG } }] });
    report = await rehearse({ fleet, speed: 1000, options: { target: 'v1.13.4-eksbuild.1', allowDowngrade: true } });
    records = (await report.store.listRunClusters(report.runId))[0]!;
  });
  afterAll(() => report?.close());

  it('is refused before the first change, naming the key and the intermediate version', async (context) => {
    // Prepare
    const row = matrixRow(context, 'configurationValues invalid for an intermediate hop’s schema', 'BLOCKED (ConfigurationRejectedError) naming key and version; no EKS write; plan recorded; lock released');
    // Act
    const c = report.clusters[0]!;
    const lock = await report.store.getLock(keyOf('egress'));
    row.observe(`${c.status} ${c.error?.name}: ${c.error?.message}; ${report.summary.eksMutatingCalls} EKS writes; ${records.hops.length} hops; lock ${lock ? 'held' : 'released'}`);
    // Assess
    expect(c.status).toBe('BLOCKED');
    expect(c.error?.name).toBe('ConfigurationRejectedError');
    expect(c.error?.message).toContain('v1.14.1-eksbuild.1');
    expect(c.error?.message).toContain('ENABLE_V4_EGRESS');
    expect(records.plan?.plan.hops.map((h) => h.to)).toEqual(['v1.14.1-eksbuild.1', 'v1.13.4-eksbuild.1']);
    expect(records.hops).toEqual([]);
    expect(report.summary.eksMutatingCalls).toBe(0);
    expect(c.final).toMatchObject({ addonVersion: 'v1.15.5-eksbuild.1', configurationValues: CONFIG });
    expect(lock).toBeNull();
  });
});
