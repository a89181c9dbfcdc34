import { EKSClient, UpdateAddonCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { readClusterHistory } from '../../lib/operator/cluster-history.js';
import { renderClusterHistory } from '../../lib/operator/render-progress.js';
import { startLocalWorkflow, type LoadedFleet, type LocalWorkflow } from '../invariants/local-workflow.js';

// Rollback of a cluster's last hop (docs/operating-a-run.md, "Rollback") through the real cluster definition, the
// real handlers, the simulator and dynalite: after a hop the rollout gate failed (aws-node never Ready on the new
// build) and after one EKS failed (the add-on DEGRADED), the rollback runs as the cluster workflow — lock, snapshot,
// plan (the older build's schema), one hop back judged by the gate, verify — and is recorded as a rollback. What it
// must refuse is refused before any change.

const ACCOUNT = '111122223333';
const FROM = 'v1.20.5-eksbuild.1';
const TO = 'v1.21.1-eksbuild.8';
const CONFIG = JSON.stringify({ env: { WARM_IP_TARGET: '5' } });
const keyOf = (name: string) => `${ACCOUNT}/us-east-1/${name}`;
const cluster = (name: string, faults: unknown[]) => ({ name, region: 'us-east-1', kubernetesVersion: '1.29', nodes: 3, addon: { version: FROM, configurationValues: CONFIG }, faults });

describe('rollback of the last hop', () => {
  let workflow: LocalWorkflow;
  let loaded: LoadedFleet;
  /** Runs the cluster workflow; a FAILED cluster fails its execution, which the records then tell about. */
  const run = (input: Record<string, unknown>, name: string) => workflow.runCluster({ trigger: 'local', ...input, runId: name }, name).catch((error: unknown) => ({ error }));
  const updates = (name: string) => loaded.sim.calls.filter((c) => c.cluster === name && c.operation === 'UpdateAddon' && c.status === 200).map((c) => c.requestedVersion);

  beforeAll(async () => {
    workflow = await startLocalWorkflow();
    loaded = await workflow.load(
      FleetFile.parse({
        settings: { updateSeconds: 60, secondsPerNode: 0 },
        clusters: [
          cluster('gate-failed', [{ effect: 'POD_NOT_READY', toVersion: 'v1.21.*', errorMessage: 'ipamd: failed to allocate' }]),
          cluster('eks-failed', [{ effect: 'DEGRADED', toVersion: 'v1.21.*', errorMessage: 'InsufficientNumberOfReplicas' }]),
          cluster('changed', [{ effect: 'POD_NOT_READY', toVersion: 'v1.21.*' }]),
          cluster('healthy', []),
        ],
      }),
    );
    // The hops that go wrong (and one that goes right), each its own run.
    for (const name of ['gate-failed', 'eks-failed', 'changed', 'healthy']) await run({ cluster: { name, region: 'us-east-1' }, options: { target: TO } }, `up-${name}`);
  }, 120_000);
  afterAll(async () => {
    await loaded?.close();
    await workflow?.close();
  });

  it('after a hop the gate failed: back to the build before it, with its configuration, judged by the gate, recorded as a rollback', async () => {
    // Prepare: the hop landed in EKS and the gate failed it
    const failed = await loaded.store.getRunCluster('up-gate-failed', keyOf('gate-failed'));
    expect(failed?.cluster?.status).toBe('FAILED');
    expect(failed?.cluster?.error?.name).toBe('AwsNodeRolloutError');

    // Act
    await run({ cluster: { name: 'gate-failed', region: 'us-east-1' }, rollback: { from: TO, to: FROM, reason: 'ipamd failing' } }, 'rb-gate-failed');
    const records = await loaded.store.getRunCluster('rb-gate-failed', keyOf('gate-failed'));

    // Assess
    expect(records?.cluster).toMatchObject({ status: 'UPGRADED', rollback: { ofRun: 'up-gate-failed', hop: 1, from: TO, to: FROM, reason: 'ipamd failing' } });
    // The pre-flight found aws-node unhealthy (what the rollback remedies): a warning, not a refusal.
    expect(records?.cluster?.warnings?.join(' ')).toMatch(/rolling back despite the pre-flight/);
    expect(records?.hops).toHaveLength(1);
    expect(records?.hops[0]).toMatchObject({ fromVersion: TO, version: FROM, outcome: 'SUCCEEDED', rollout: expect.objectContaining({ verdict: 'HEALTHY' }) });
    expect(updates('gate-failed')).toEqual([TO, FROM]);
    const addon = loaded.sim.cluster('gate-failed')?.addon;
    expect(addon).toMatchObject({ addonVersion: FROM, configurationValues: CONFIG });
    expect(await loaded.store.getLock(keyOf('gate-failed'))).toBeNull();
    // The history shows it as a rollback, newest first, above the run it undid.
    const history = await readClusterHistory(loaded.store, { cluster: keyOf('gate-failed') });
    expect(history.map((h) => [h.runId, h.rollback?.ofRun ?? null])).toEqual([
      ['rb-gate-failed', 'up-gate-failed'],
      ['up-gate-failed', null],
    ]);
    expect(renderClusterHistory(history)).toContain('rollback of up-gate-failed hop 1: ipamd failing');
  });

  it('after a hop EKS failed (DEGRADED): back to the build before it', async () => {
    // Prepare
    const failed = await loaded.store.getRunCluster('up-eks-failed', keyOf('eks-failed'));
    expect(failed?.cluster?.status).toBe('FAILED');

    // Act
    await run({ cluster: { name: 'eks-failed', region: 'us-east-1' }, rollback: { from: TO, to: FROM } }, 'rb-eks-failed');
    const records = await loaded.store.getRunCluster('rb-eks-failed', keyOf('eks-failed'));

    // Assess
    expect(records?.cluster).toMatchObject({ status: 'UPGRADED', rollback: { ofRun: 'up-eks-failed', from: TO, to: FROM, reason: null } });
    expect(records?.cluster?.warnings?.join(' ')).toMatch(/rolling back the add-on as EKS reports it/);
    expect(loaded.sim.cluster('eks-failed')?.addon).toMatchObject({ addonVersion: FROM, status: 'ACTIVE' });
  });

  it('refuses before any change: another hop than the one confirmed, a rollback of a rollback, a configuration changed since the hop', async () => {
    // Prepare: someone changed the configuration of `changed` by hand after its failed hop
    const eks = new EKSClient({ endpoint: loaded.sim.endpoint, region: 'us-east-1', credentials: { accessKeyId: ACCOUNT, secretAccessKey: 'simulator' } });
    await eks.send(new UpdateAddonCommand({ clusterName: 'changed', addonName: 'vpc-cni', addonVersion: TO, configurationValues: JSON.stringify({ env: { WARM_IP_TARGET: '10' } }) }));
    eks.destroy();
    const before = { healthy: updates('healthy').length, changed: updates('changed').length, gate: updates('gate-failed').length };

    // Act
    await run({ cluster: { name: 'healthy', region: 'us-east-1' }, rollback: { from: TO, to: 'v1.19.6-eksbuild.7' } }, 'rb-wrong-hop');
    await run({ cluster: { name: 'gate-failed', region: 'us-east-1' }, rollback: { from: FROM, to: TO } }, 'rb-of-rollback');
    await run({ cluster: { name: 'changed', region: 'us-east-1' }, rollback: { from: TO, to: FROM } }, 'rb-changed');
    const outcome = async (runId: string, name: string) => (await loaded.store.getRunCluster(runId, keyOf(name)))?.cluster;

    // Assess
    const wrong = await outcome('rb-wrong-hop', 'healthy');
    expect(wrong).toMatchObject({ status: 'BLOCKED', error: { name: 'RollbackRefusedError' } });
    expect(wrong?.error?.message).toBe(
      `Rollback of ${keyOf('healthy')} refused: the last hop is run up-healthy hop 1 (${FROM} → ${TO}, SUCCEEDED), not ${TO} → v1.19.6-eksbuild.7 as confirmed: confirm ${TO} → ${FROM}`,
    );
    const again = await outcome('rb-of-rollback', 'gate-failed');
    expect(again).toMatchObject({ status: 'BLOCKED', error: { name: 'RollbackRefusedError' } });
    expect(again?.error?.message).toContain('was itself a rollback: go forward with an upgrade run instead');
    const changed = await outcome('rb-changed', 'changed');
    expect(changed).toMatchObject({ status: 'BLOCKED', error: { name: 'RollbackRefusedError' } });
    expect(changed?.error?.message).toContain('configurationValues differ from that run\'s snapshot');
    // Nothing changed in any of them.
    expect({ healthy: updates('healthy').length, changed: updates('changed').length, gate: updates('gate-failed').length }).toEqual(before);
  });

  it('refuses a rollback request that is not two EKS builds, at ValidateInput', async () => {
    // Act
    const result = (await run({ cluster: { name: 'healthy', region: 'us-east-1' }, rollback: { from: TO, to: 'v1.20.5' } }, 'rb-bad-input')) as { error?: { cause?: { name?: string; message?: string } } };

    // Assess
    expect(result.error?.cause?.name).toBe('InputValidationError');
    expect(result.error?.cause?.message).toContain('rollback.to');
  });
});
