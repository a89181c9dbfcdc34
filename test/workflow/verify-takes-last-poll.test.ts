import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEnd, FaultRig, TaskMap } from '../faults/fault-rig.js';
import { startFaultRig } from '../faults/fault-rig.js';

// VerifyUpgrade takes the DescribeAddon of the PollHop that ended the last hop (a Choice earlier) when that read
// checked everything it checks; without that mark it reads the add-on again. The rig runs the real definitions
// and handlers against the simulator; the wrapper only counts the DescribeAddon calls VerifyUpgrade's own
// invocation makes, and for `reread` drops the mark from its input.
const START = 'v1.18.5-eksbuild.1';

describe('VerifyUpgrade and the last poll', () => {
  let rig: FaultRig;
  const ends: Record<string, ExecutionEnd> = {};
  const verifyReads: Record<string, number> = {};
  const marked: Record<string, unknown> = {};

  const countVerify = (tasks: TaskMap): TaskMap => ({
    ...tasks,
    verifyUpgrade: async (input) => {
      const state = input as { cluster: { name: string }; hop?: Record<string, unknown> };
      const name = state.cluster.name;
      marked[name] = state.hop?.['addonChecked'];
      const given = name === 'reread' && state.hop ? { ...state, hop: { ...state.hop, addonChecked: undefined } } : state;
      const before = rig.sim.count({ operation: 'DescribeAddon' });
      const output = await tasks['verifyUpgrade']!(given);
      verifyReads[name] = rig.sim.count({ operation: 'DescribeAddon' }) - before;
      return output;
    },
  });

  beforeAll(async () => {
    rig = await startFaultRig({
      wrapTasks: countVerify,
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: ['taken', 'reread'].map((name) => ({ name, kubernetesVersion: '1.29', addon: { version: START } })),
      },
    });
    // One cluster at a time: the DescribeAddon count between VerifyUpgrade's start and end is its own.
    for (const name of ['taken', 'reread']) ends[name] = await rig.runCluster(name, `verify-${name}`, { kubernetesAccess: 'off' });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("takes the last poll's read when that poll found the add-on done, healthy and with its settings", () => {
    expect(marked['taken']).toBe(true);
    expect(verifyReads['taken']).toBe(0);
    expect(ends['taken']?.output).toMatchObject({ status: 'UPGRADED' });
  });

  it('reads the add-on itself without that mark', () => {
    expect(verifyReads['reread']).toBe(1);
    expect(ends['reread']?.output).toMatchObject({ status: 'UPGRADED' });
  });
});
