import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../../lib/workflow/state.js';
import type { RunSummary } from '../../lib/steps/summarize-run.js';
import type { RunClusterRecords } from '../../lib/store/progress-store.js';
import { matrixRow } from './fault-matrix.js';
import type { FaultRig, TaskMap } from './fault-rig.js';
import { startFaultRig, statesOf } from './fault-rig.js';

// Faults at the Lambda boundary, where the Lambda service fails around our handlers: the invocation is refused
// before the handler runs (Lambda.TooManyRequestsException), or the handler did its work and the result was lost
// (Lambda.ServiceException, a timeout: Sandbox.Timedout, Lambda.Unknown). The handlers are the deployed ones,
// unchanged; only the invocation around them fails.
const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const CONFIG = '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true","WARM_IP_TARGET":"5"}}';
const PIA = [{ serviceAccount: 'aws-node', roleArn: 'arn:aws:iam::111122223333:role/VpcCniPodIdentity' }];
const HOPS = ['v1.19.6-eksbuild.7', 'v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8'];

/** A Lambda-service error as Step Functions reports it: matched by Retry on its name. */
const lambdaError = (name: string): Error => Object.assign(new Error(`${name}: injected at the Lambda boundary`), { name });

type State = Partial<ClusterState> & { cluster?: { name?: string } };

interface Injection {
  readonly task: string;
  readonly cluster: string;
  /** Which invocation of the task to fail, from its input (and output when `after`). */
  readonly when: (input: State, output?: unknown) => boolean;
  readonly error: string;
  /** `after`: the handler ran (its EKS call and its records happened) and its result was lost. */
  readonly phase: 'before' | 'after';
}

/** Fails each injection once, at the Lambda boundary. */
function injectOnce(tasks: TaskMap, injections: readonly Injection[]): TaskMap {
  const fired = new Set<Injection>();
  const wrapped: TaskMap = { ...tasks };
  for (const [key, task] of Object.entries(tasks)) {
    const mine = injections.filter((i) => i.task === key);
    if (mine.length === 0) continue;
    wrapped[key] = async (input) => {
      const state = input as State;
      const pending = mine.filter((i) => !fired.has(i) && state.cluster?.name === i.cluster);
      const before = pending.find((i) => i.phase === 'before' && i.when(state));
      if (before) {
        fired.add(before);
        throw lambdaError(before.error);
      }
      const output = await task(input);
      const after = pending.find((i) => i.phase === 'after' && i.when(state, output));
      if (after) {
        fired.add(after);
        throw lambdaError(after.error);
      }
      return output;
    };
  }
  return wrapped;
}

/** The add-on's settings in the simulator when each hop is recorded done (its last PollHop), next to the run's snapshot. */
interface HopObservation {
  readonly cluster: string;
  readonly hop: number;
  readonly snapshot: Pick<NonNullable<ClusterState['snapshot']>, 'configurationValues' | 'serviceAccountRoleArn' | 'podIdentityAssociations' | 'podIdentityPairs'>;
  readonly now: {
    configurationValues: string | null;
    serviceAccountRoleArn: string | null;
    podIdentityAssociations: string[];
    podIdentityPairs: { serviceAccount: string; roleArn: string }[];
    version: string | undefined;
  };
}

describe('fault matrix: Lambda faults mid-hop, and settings after every hop', () => {
  let rig: FaultRig;
  let summary: RunSummary;
  let records: RunClusterRecords[];
  const observations: HopObservation[] = [];

  const injections: Injection[] = [
    { task: 'takeSnapshot', cluster: 'crashy', when: () => true, error: 'Lambda.TooManyRequestsException', phase: 'before' },
    // A hop's place in the plan: ApplyHop starts the one the previous poll named (hop.next; the first has none),
    // PollHop polls hop.position.
    { task: 'applyHop', cluster: 'crashy', when: (s) => s.hop === undefined, error: 'Lambda.ServiceException', phase: 'after' },
    { task: 'applyHop', cluster: 'crashy', when: (s) => s.hop?.next === 1, error: 'Sandbox.Timedout', phase: 'after' },
    // The PollHop that found the first hop done and recorded it loses its result: the retry records it again.
    { task: 'pollHop', cluster: 'crashy', when: (s, out) => s.hop?.position === 0 && (out as { status?: string }).status === 'SUCCEEDED', error: 'Lambda.ServiceException', phase: 'after' },
    { task: 'pollHop', cluster: 'crashy', when: (s, out) => s.hop?.position === 2 && (out as { status?: string }).status === 'SUCCEEDED', error: 'Lambda.Unknown', phase: 'after' },
  ];

  beforeAll(async () => {
    rig = await startFaultRig({
      speed: 1000,
      fleet: {
        settings: { updateSeconds: 30, secondsPerNode: 0 },
        clusters: ['crashy', 'keeper'].map((name) => ({
          name,
          kubernetesVersion: '1.29',
          addon: { version: 'v1.18.5-eksbuild.1', configurationValues: CONFIG, serviceAccountRoleArn: ROLE, podIdentityAssociations: PIA },
        })),
      },
      wrapTasks: (tasks) => {
        const injected = injectOnce(tasks, injections);
        const pollHop = injected['pollHop']!;
        return {
          ...injected,
          // An observer, not a fault: the PollHop that finds a hop done records it, so the simulator's add-on is read there.
          pollHop: async (input) => {
            const output = await pollHop(input);
            if ((output as { status?: string }).status !== 'SUCCEEDED') return output;
            const state = input as ClusterState;
            const addon = rig.sim.cluster(state.cluster.name)!.addon!;
            observations.push({
              cluster: state.cluster.name,
              hop: state.hop!.index,
              snapshot: state.snapshot!,
              now: {
                configurationValues: addon.configurationValues ?? null,
                serviceAccountRoleArn: addon.serviceAccountRoleArn ?? null,
                podIdentityAssociations: addon.podIdentityAssociations.map((p) => p.associationArn).sort(),
                podIdentityPairs: addon.podIdentityAssociations.map((p) => ({ serviceAccount: p.serviceAccount, roleArn: p.roleArn })),
                version: addon.addonVersion,
              },
            });
            return output;
          },
        };
      },
    });
    summary = await rig.runFleet('lambda-faults', { failureThreshold: 0, expectedHopSeconds: 30 });
    records = await rig.store.listRunClusters('lambda-faults');
  });
  afterAll(() => rig?.close());

  const stored = (name: string) => records.find((r) => r.cluster?.clusterName === name)!;

  it('Lambda crashes and timeouts mid-hop are retried; a retried apply starts no second update', (context) => {
    // Prepare
    const row = matrixRow(
      context,
      'Lambda fails mid-hop: TooManyRequests before TakeSnapshot; ServiceException / Sandbox.Timedout after ApplyHop’s UpdateAddon; Lambda.Unknown after PollHop; ServiceException after the PollHop that records a hop',
      'each retried; UPGRADED; exactly one EKS update per hop (clientRequestToken replay); one record per hop',
    );
    // Act
    const failed = statesOf(rig.events, 'crashy', { failed: true });
    const updates = rig.sim.cluster('crashy')!.updates;
    const updateCalls = rig.sim.calls.filter((c) => c.cluster === 'crashy' && c.operation === 'UpdateAddon');
    const c = stored('crashy');
    row.observe(
      `${c.cluster?.status}; failed invocations ${failed.join(',')}; ${updateCalls.length} UpdateAddon requests (${updateCalls.map((u) => u.status).join(',')}) → ${updates.length} EKS updates; ${c.hops.length} hop records`,
    );
    // Assess
    expect(failed).toEqual(['TakeSnapshot', 'ApplyHop', 'PollHop', 'ApplyHop', 'PollHop']);
    expect(c.cluster?.status).toBe('UPGRADED');
    // The retried ApplyHop finds the hop its first attempt recorded and adopts it: one UpdateAddon request per
    // hop, even though two ApplyHop results were lost. (Had the record not been written, the hop's token would
    // make EKS answer with the same update: test/sim covers that idempotency.)
    expect(updateCalls.map((u) => u.status)).toEqual([200, 200, 200]);
    expect(updates.map((u) => u.params.find((p) => p.type === 'AddonVersion')?.value)).toEqual(HOPS);
    expect(updates.every((u) => u.status === 'Successful')).toBe(true);
    expect(c.hops.map((h) => [h.index, h.version, h.outcome, h.updateId])).toEqual(HOPS.map((v, i) => [i + 1, v, 'SUCCEEDED', updates[i]!.id]));
    expect(c.cluster?.hopsDone).toBe(3);
  });

  it('after every hop the role, pod identity associations and configuration equal the snapshot’s', (context) => {
    // Prepare
    const row = matrixRow(
      context,
      'Settings after each hop (omitted role clears it, as EKS was reported to do); role and pod identity pairs re-sent on every UpdateAddon',
      'at every hop recorded done the simulator’s add-on has the snapshot’s configuration, role and associations; every update carries the snapshot’s pairs',
    );
    // Act
    const mine = observations.filter((o) => o.cluster === 'keeper');
    const differing = mine.filter(
      (o) =>
        o.now.configurationValues !== o.snapshot.configurationValues ||
        o.now.serviceAccountRoleArn !== o.snapshot.serviceAccountRoleArn ||
        JSON.stringify(o.now.podIdentityAssociations) !== JSON.stringify([...o.snapshot.podIdentityAssociations].sort()) ||
        JSON.stringify(o.now.podIdentityPairs) !== JSON.stringify(o.snapshot.podIdentityPairs),
    );
    // What each UpdateAddon asked for (the update's params list the members sent, values as sent:
    // docs/eks-behaviour.md#the-update-lifecycle).
    const sentPairs = rig.sim.cluster('keeper')!.updates.map((u) => u.params.find((p) => p.type === 'PodIdentityAssociations')?.value);
    const describes = rig.sim.calls.filter((c) => c.cluster === 'keeper' && c.operation === 'DescribePodIdentityAssociation');
    row.observe(
      `${mine.length} hops observed (${mine.map((o) => o.now.version).join(', ')}); ${differing.length} differ from the snapshot; ${sentPairs.filter((v) => v !== undefined).length}/${sentPairs.length} updates re-sent the pairs; ${stored('keeper').cluster?.status}`,
    );
    // Assess
    expect(mine.map((o) => o.now.version)).toEqual(HOPS);
    expect(mine[0]!.snapshot).toMatchObject({ configurationValues: CONFIG, serviceAccountRoleArn: ROLE, podIdentityPairs: PIA });
    expect(mine[0]!.snapshot.podIdentityAssociations).toHaveLength(1);
    expect(differing).toEqual([]);
    expect(sentPairs).toEqual(HOPS.map(() => JSON.stringify(PIA)));
    expect(describes.map((c) => [c.mutating, c.status])).toEqual([[false, 200]]);
    // The crashed cluster's hops kept its settings too.
    expect(observations.filter((o) => o.cluster === 'crashy').every((o) => o.now.serviceAccountRoleArn === ROLE && o.now.configurationValues === CONFIG)).toBe(true);
    expect(stored('keeper').cluster?.status).toBe('UPGRADED');
    expect(summary.byStatus).toEqual({ UPGRADED: 2 });
  });
});
