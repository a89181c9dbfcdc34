import { DescribeAddonCommand, EKSClient, UpdateAddonCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorAccountCredentials } from '../../lib/aws/clients.js';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import type { ExecutionEnd, FaultRig, TaskMap } from '../faults/fault-rig.js';
import { startFaultRig } from '../faults/fault-rig.js';
import { pollUntil } from '../helpers/start-simulator.js';

// What the workflow sees between its own hops, when someone else changes the add-on after the first hop (an
// operator in the console, another tool): the rig runs the real definitions and handlers; after the first
// hop of a cluster is recorded done, this test acts in that cluster's account through the simulator's EKS API, as another
// client would, and waits until the add-on is ACTIVE again before the workflow goes on.
//  - `drift`: its configurationValues are reset to '{}' (the '{}' that resets a configuration, which our own
//    UpdateAddon never sends). The next hop keeps what it finds, so PollHop sees a setting lost after hop 2.
//  - `moved`: its add-on is moved back one minor. The next hop is then two minors from what runs, and EKS refuses
//    the UpdateAddon ("only go up or down 1 minor version at a time").

const ACCOUNT = '111122223333';
const CONFIG = '{"env":{"WARM_IP_TARGET":"5"}}';
const START = 'v1.18.5-eksbuild.1';

describe('checks between hops', () => {
  let rig: FaultRig;
  let eks: EKSClient;
  const ends: Record<string, ExecutionEnd> = {};
  const records: Record<string, RunClusterRecords> = {};

  const settle = (clusterName: string) =>
    pollUntil(
      () => eks.send(new DescribeAddonCommand({ clusterName, addonName: 'vpc-cni' })),
      (out) => out.addon?.status === 'ACTIVE',
    );
  // Someone else's change, made once right after the cluster's first hop was recorded.
  const afterFirstHop: Record<string, (clusterName: string) => Promise<void>> = {
    drift: async (clusterName) => {
      await eks.send(new UpdateAddonCommand({ clusterName, addonName: 'vpc-cni', configurationValues: '{}' }));
      await settle(clusterName);
    },
    moved: async (clusterName) => {
      await eks.send(new UpdateAddonCommand({ clusterName, addonName: 'vpc-cni', addonVersion: START, configurationValues: CONFIG }));
      await settle(clusterName);
    },
  };
  const interfere = (tasks: TaskMap): TaskMap => ({
    ...tasks,
    // The PollHop that finds the first hop done (and records it): the interference comes before the next ApplyHop.
    pollHop: async (input) => {
      const output = await tasks['pollHop']!(input);
      const { cluster, hop } = input as { cluster: { name: string }; hop: { index: number } };
      if (hop.index === 1 && (output as { status?: string }).status === 'SUCCEEDED') await afterFirstHop[cluster.name]?.(cluster.name);
      return output;
    },
  });

  beforeAll(async () => {
    rig = await startFaultRig({
      wrapTasks: interfere,
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: ['drift', 'moved'].map((name) => ({ name, kubernetesVersion: '1.29', addon: { version: START, configurationValues: CONFIG } })),
      },
    });
    eks = new EKSClient({ endpoint: rig.sim.endpoint, region: 'us-east-1', credentials: simulatorAccountCredentials(ACCOUNT) });
    for (const name of ['drift', 'moved']) {
      ends[name] = await rig.runCluster(name, `checks-${name}`);
      records[name] = (await rig.store.listRunClusters(`checks-${name}`))[0]!;
    }
  });
  afterAll(async () => {
    eks?.destroy();
    await rig?.close();
  });

  it('stops a cluster at the hop after which a setting is gone, with the difference recorded on that hop', () => {
    // Assess
    expect(ends['drift']?.error?.name).toBe('SettingsChangedError');
    expect(records['drift']?.cluster).toMatchObject({ status: 'FAILED', error: { name: 'SettingsChangedError' } });
    expect(records['drift']?.hops.map((h) => [h.index, h.version, h.outcome])).toEqual([
      [1, 'v1.19.6-eksbuild.7', 'SUCCEEDED'],
      [2, 'v1.20.5-eksbuild.1', 'FAILED'],
    ]);
    expect(records['drift']?.hops[1]?.error).toMatchObject({
      name: 'SettingsChangedError',
      message: `After the hop of ${ACCOUNT}/us-east-1/drift to v1.20.5-eksbuild.1: configurationValues changed from ${CONFIG} to {}`,
    });
    // The third hop was never requested.
    expect(rig.sim.calls.filter((c) => c.cluster === 'drift' && c.requestedVersion === 'v1.21.1-eksbuild.8')).toEqual([]);
  });

  it('records a hop whose UpdateAddon EKS refused, with the refusal as its error', () => {
    // Assess
    expect(ends['moved']?.error?.name).toBe('AddonRequestRejectedError');
    expect(records['moved']?.cluster).toMatchObject({ status: 'FAILED', error: { name: 'AddonRequestRejectedError' } });
    expect(records['moved']?.hops.map((h) => [h.index, h.version, h.outcome, h.updateId])).toEqual([
      [1, 'v1.19.6-eksbuild.7', 'SUCCEEDED', expect.any(String)],
      [2, 'v1.20.5-eksbuild.1', 'FAILED', null],
    ]);
    expect(records['moved']?.hops[1]?.error).toMatchObject({
      name: 'AddonRequestRejectedError',
      code: 'InvalidParameterException',
      message: expect.stringContaining('Updating VPC-CNI can only go up or down 1 minor version at a time'),
    });
    expect(rig.sim.calls.filter((c) => c.cluster === 'moved' && c.requestedVersion === 'v1.20.5-eksbuild.1').map((c) => c.status)).toEqual([400]);
  });
});
