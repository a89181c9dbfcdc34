import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { PAYLOAD_LIMIT_BYTES, payloadBytes } from '../../rehearsal/runner/step-functions-quotas.js';
import type { LoadedFleet, LocalWorkflow } from '../invariants/local-workflow.js';
import { executionCause, startLocalWorkflow } from '../invariants/local-workflow.js';

// The real fleet definition, handlers, simulator and dynalite: an execution input over 256 KiB is refused as
// StartExecution refuses it, before any task, EKS call or progress record.
describe('fleet execution input over the payload quota', () => {
  let workflow: LocalWorkflow;
  let loaded: LoadedFleet;

  beforeAll(async () => {
    workflow = await startLocalWorkflow();
    loaded = await workflow.load(FleetFile.parse({ clusters: [{ name: 'cluster-00000', region: 'us-east-1', kubernetesVersion: '1.31', addon: { version: 'v1.19.0-eksbuild.1' } }] }));
  });
  afterAll(async () => {
    await loaded?.close();
    await workflow?.close();
  });

  it('fails with States.DataLimitExceeded and touches nothing', async () => {
    // Prepare: 2,500 listed clusters with a role each, about 312 KB of input.
    const input = {
      runId: 'too-big',
      trigger: 'local',
      clusters: Array.from({ length: 2_500 }, (_, i) => ({
        name: `cluster-${String(i).padStart(5, '0')}`,
        region: 'us-east-1',
        accountId: '111122223333',
        roleArn: 'arn:aws:iam::111122223333:role/cni-fleet-upgrader',
      })),
    };
    expect(payloadBytes(input)).toBeGreaterThan(PAYLOAD_LIMIT_BYTES);
    // Act
    const error = await workflow.runFleet(input, 'too-big').then(
      () => undefined,
      (e: unknown) => e,
    );
    // Assess
    expect(executionCause(error)).toMatchObject({ name: 'States.DataLimitExceeded', message: expect.stringContaining('execution input') });
    expect(loaded.events).toEqual([]);
    expect(loaded.sim.count()).toBe(0);
    expect(await loaded.store.getRun('too-big')).toBeNull();
  });
});
