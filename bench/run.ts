/**
 * `npm run bench [-- --clusters N --accounts N --regions N --lanes-at-once N --per-lane-concurrency N --speed S
 * --seed N --jitter J --kubernetes-access MODE --soak S --compare-gate --in-memory-dynamo --memory-trace FILE --json]`: rehearses a generated fleet through the real local workflow (rehearsal/rehearsal.ts: the
 * statemachines/workflows.asl.yaml, the handlers, the EKS simulator, dynalite) and prints what it measured against the
 * targets (docs/benchmark.md; docs/fleet-workflow.md). Not a test: nothing here asserts. `--json` prints the result
 * JSON on stdout (the tables go to stderr). Results go to bench/results/ (ignored by git).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import pc from 'picocolors';
import { rehearse } from '../rehearsal/rehearsal.js';
import type { RehearsalOptions } from '../rehearsal/rehearsal.js';
import type { TaskEvent, TransitionEvent } from '../rehearsal/runner/workflow-runner.js';
import { describeStartup, measureCliStartup } from './cli-startup.js';
import { generateFleet } from './fleet-generator.js';
import { lastContainerStartSeconds, makespanBound } from './lower-bound.js';
import { startMemorySampler } from './memory-sampler.js';
import { LAMBDA_MEMORY_MB, runCost } from './prices.js';
import { comparePolicies } from './polling-model.js';
import type { ModelCluster } from './polling-model.js';
import { readPackageSizes } from './package-sizes.js';
import { durationFactor } from '../sim/duration-jitter.js';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000' },
    accounts: { type: 'string', default: '1' },
    regions: { type: 'string', default: '4' },
    // Absent: every lane at once (at most 10,000, the Distributed Map's own limit).
    'lanes-at-once': { type: 'string' },
    'per-lane-concurrency': { type: 'string', default: '10' },
    // Absent: discrete-event virtual time (rehearsal/runner/virtual-timer.ts). A number: the scaled clock at that speed.
    speed: { type: 'string' },
    seed: { type: 'string', default: '20261122' },
    // The simulator's per-cluster, per-hop variation of update durations (settings.durationJitter); 0 = exact.
    jitter: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    // The aws-node rollout gate (docs/rollout-gate.md): its access mode and soak, and whether to run the same fleet
    // again with the gate off to report what it adds per hop.
    'kubernetes-access': { type: 'string', default: 'required' },
    soak: { type: 'string', default: '120' },
    'compare-gate': { type: 'boolean', default: false },
    // A file to append one JSON line of memory figures to every 5 s (bench/memory-sampler.ts): what grows when.
    'memory-trace': { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/latest.json', import.meta.url)) },
    // dynalite in memory instead (rehearse() without dataDir, as the tests run it): every write stays in this process.
    'in-memory-dynamo': { type: 'boolean', default: false },
  },
});
const positive = (name: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) {
    process.stderr.write(`bench: --${name} must be a positive number up to ${max}, got ${text}\n`);
    process.exit(2);
  }
  return n;
};
const clusterCount = Math.floor(positive('clusters', args.clusters, 10_000));
const accounts = Math.floor(positive('accounts', args.accounts, 1_000));
const regions = Math.floor(positive('regions', args.regions, 12));
const laneCount = Math.min(accounts * regions, clusterCount);
const lanesAtOnce = Math.floor(positive('lanes-at-once', args['lanes-at-once'] ?? String(Math.min(laneCount, 10_000)), 10_000));
const perLaneConcurrency = Math.floor(positive('per-lane-concurrency', args['per-lane-concurrency'], 40));
const speed = args.speed === undefined ? undefined : positive('speed', args.speed);
const timing = speed === undefined ? 'event-driven virtual time' : `scaled virtual time, ${speed} virtual s per real s`;
const seed = Math.floor(positive('seed', args.seed));
const access = args['kubernetes-access'];
if (access !== 'required' && access !== 'best-effort' && access !== 'off') {
  process.stderr.write(`bench: --kubernetes-access must be required, best-effort or off, got ${access}\n`);
  process.exit(2);
}
const soak = Number(args.soak);
if (!Number.isInteger(soak) || soak < 0 || soak > 1800) {
  process.stderr.write(`bench: --soak must be a whole number of seconds from 0 to 1800, got ${args.soak}\n`);
  process.exit(2);
}
const jitter = Number(args.jitter);
if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
  process.stderr.write(`bench: --jitter must be a number from 0 to 1, got ${args.jitter}\n`);
  process.exit(2);
}
const gateOptions = { kubernetesAccess: access, rolloutSoakSeconds: soak } as const;
/** With --json, stdout is only the result JSON; the tables go to stderr. */
const show = (text: string): boolean => (args.json ? process.stderr : process.stdout).write(text);

// The states of the hop loop (UpgradeCluster in statemachines/workflows.asl.yaml); every other state is per-cluster or per-run.
const HOP_LOOP = new Set(['HasNextHop', 'ApplyHop', 'WaitForHop', 'WaitForRollout', 'PollHop', 'IsHopDone']);
// Step Functions' quotas and this benchmark's targets (docs/fleet-workflow.md, "Fleet-size limits").
const PAYLOAD_LIMIT_BYTES = 262_144;
const HISTORY_LIMIT_EVENTS = 25_000;
const FLEET_STATE_TARGET_BYTES = 65_536;
const HISTORY_TARGET_EVENTS = 5_000;

const clusterOf = (input: unknown): string | undefined => {
  const i = input as { cluster?: { name?: string }; input?: { cluster?: { name?: string } } } | undefined;
  return i?.cluster?.name ?? i?.input?.cluster?.name;
};

const generated = performance.now();
const { fleet, plannedHops } = generateFleet({ clusters: clusterCount, seed, accounts, regions, durationJitter: jitter });
const generationMs = performance.now() - generated;

const transitions = { total: 0, retries: 0, hopLoop: 0, gateWaits: 0, byType: {} as Record<string, number>, byMachine: {} as Record<string, number> };
const lambda = { invocations: 0, billedMs: 0, maxMs: 0 };
const spans = new Map<string, { start: number; end: number }>();
const onTransition = (t: TransitionEvent): void => {
  transitions.total += 1;
  if (t.kind === 'retried') transitions.retries += 1;
  if (t.machine === 'UpgradeClusterStateMachine' && HOP_LOOP.has(t.stateName)) transitions.hopLoop += 1;
  // Each WaitForRollout is one more look by the gate after the one PollHop makes when EKS reports the hop done.
  if (t.stateName === 'WaitForRollout' && t.kind !== 'retried') transitions.gateWaits += 1;
  transitions.byType[t.stateType] = (transitions.byType[t.stateType] ?? 0) + 1;
  transitions.byMachine[t.machine] = (transitions.byMachine[t.machine] ?? 0) + 1;
};
/** One execution's end as the runner reports it (kind, history length, largest payload). */
interface ExecutionEnd {
  readonly kind: string;
  readonly status: string;
  readonly historyEvents: number;
  readonly maxStateBytes: number;
  readonly error?: { readonly name: string; readonly message: string };
}
/** fleet, lane (a Distributed Map's child: `UpgradeFleetStateMachine/<Label>`) or cluster. */
const kindOf = (kind: string): 'fleet' | 'lane' | 'cluster' => (kind.includes('/') ? 'lane' : kind === 'UpgradeClusterStateMachine' ? 'cluster' : 'fleet');
const executions = {
  reported: 0,
  byKind: {} as Record<string, { executions: number; maxHistoryEvents: number; maxStateBytes: number; failed: number; errors: Record<string, number> }>,
  quotaErrors: [] as string[],
};
const onExecutionEnd = (e: ExecutionEnd): void => {
  executions.reported += 1;
  const k = (executions.byKind[e.kind] ??= { executions: 0, maxHistoryEvents: 0, maxStateBytes: 0, failed: 0, errors: {} });
  k.executions += 1;
  k.maxHistoryEvents = Math.max(k.maxHistoryEvents, e.historyEvents);
  k.maxStateBytes = Math.max(k.maxStateBytes, e.maxStateBytes);
  if (e.status !== 'SUCCEEDED') {
    k.failed += 1;
    // Why it did not succeed, by error name: a figure that counts failures must say what they were.
    const name = e.error?.name ?? e.status;
    k.errors[name] = (k.errors[name] ?? 0) + 1;
  }
  if (e.error && /DataLimitExceeded|HistoryLimit|ExceedToleratedFailure/.test(e.error.name)) executions.quotaErrors.push(`${e.kind}: ${e.error.name}`);
};
const onTask = (e: TaskEvent): void => {
  lambda.invocations += 1;
  lambda.billedMs += Math.ceil(e.realMs);
  lambda.maxMs = Math.max(lambda.maxMs, e.realMs);
  const name = clusterOf(e.input);
  if (!name) return;
  const span = spans.get(name);
  if (span) {
    span.start = Math.min(span.start, e.startedAt);
    span.end = Math.max(span.end, e.endedAt);
  } else spans.set(name, { start: e.startedAt, end: e.endedAt });
};

// dynalite's LevelDB folder, on disk as `cni-fleet rehearse` keeps it (its --data-dir), under the ignored results
// folder, one per process (two benchmarks at once keep apart); emptied before each run and removed at the end.
const BENCH_DATA_DIR = fileURLToPath(new URL(`./results/dynamo-${process.pid}`, import.meta.url));
/** The run's dynalite folder, empty (a left-over run would be recovered, not measured); none with --in-memory-dynamo. */
function withDataDir(options: RehearsalOptions): RehearsalOptions {
  if (args['in-memory-dynamo']) return options;
  const dataDir = BENCH_DATA_DIR;
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  return { ...options, dataDir };
}

process.stderr.write(`bench: rehearsing ${clusterCount} clusters in ${laneCount} lanes (${accounts} accounts × ${regions} Regions; ${timing}; ${lanesAtOnce} lanes at once × ${perLaneConcurrency} clusters per lane)…\n`);
const sampler = startMemorySampler(250, args['memory-trace']);
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const rehearsal: RehearsalOptions = {
  fleet,
  ...(speed === undefined ? { virtualTime: 'event' as const } : { speed, virtualTime: 'scaled' as const }),
  runId: `bench-${seed}`,
  options: { target: 'default', lanesAtOnce, perLaneConcurrency, failureThreshold: 0, ...gateOptions },
  onTask,
  onTransition,
  // The runner's per-execution report: kind, history events, largest payload (docs/local-runner.md).
  onExecutionEnd,
};
const report = await rehearse(withDataDir(rehearsal));
await report.close();
rmSync(BENCH_DATA_DIR, { recursive: true, force: true });
const wallSeconds = (performance.now() - wallStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
const memory = sampler.stop();
// The gate's reads, as the hop records count them (one per PollHop that judged aws-node).
const gateReads = report.clusters.reduce((n, c) => n + c.hops.reduce((m, h) => m + (h.rollout?.reads ?? 0), 0), 0);

const accountOfName = new Map(fleet.clusters.map((c) => [c.name, c.accountId]));
const hopsByCluster = new Map(report.clusters.map((c) => [`${accountOfName.get(c.name) ?? ''}/${c.region}/${c.name}`, c.hops.filter((h) => h.status === 'SUCCEEDED').length]));
const hops = report.summary.hops;
const hopTargets = new Map(report.clusters.map((c) => [`${accountOfName.get(c.name) ?? ''}/${c.region}/${c.name}`, c.hops.filter((h) => h.status === 'SUCCEEDED').map((h) => h.version)]));
const bound = makespanBound(fleet, hopsByCluster, { lanesAtOnce, perLaneConcurrency }, 'cni-fleet/wave', access === 'off' ? 0 : soak, hopTargets);
// The polling model (bench/polling-model.ts): every completed hop's true end — EKS's varied duration and, with the
// gate, its last container start plus the soak — against when the workflow saw it, and the peers on the same hops.
const fleetCluster = new Map(fleet.clusters.map((c) => [c.name, c]));
const modelClusters: ModelCluster[] = report.clusters.flatMap((c) => {
  const spec = fleetCluster.get(c.name);
  const span = spans.get(c.name);
  if (!spec || !span || c.status !== 'UPGRADED') return [];
  const nominal = fleet.settings.updateSeconds + fleet.settings.secondsPerNode * spec.nodes;
  const settled = access === 'off' ? 0 : lastContainerStartSeconds(spec.nodes, fleet.settings) + soak;
  return [
    {
      lane: `${spec.accountId}/${spec.region}`,
      wave: spec.tags['cni-fleet/wave'] ?? '',
      startedAt: span.start,
      spanSeconds: (span.end - span.start) / 1000,
      hops: c.hops
        .filter((h) => h.status === 'SUCCEEDED' && h.endedAt)
        .map((h) => {
          const eksDone = Math.round(nominal * durationFactor(fleet.settings, { accountId: spec.accountId, region: spec.region, name: spec.name, targetVersion: h.version }) * 1000) / 1000;
          const seenSeconds = (Date.parse(h.endedAt ?? h.startedAt) - Date.parse(h.startedAt)) / 1000;
          // The soak's end follows the simulator's nominal rollout pace; a hop the gate passed earlier than that
          // estimate ended no later than it was seen.
          return { doneSeconds: Math.max(eksDone, Math.min(settled, seenSeconds)), seenSeconds, reads: h.polls };
        }),
    },
  ];
});
const polling = comparePolicies(modelClusters, bound.waves.map((w) => (w.wave === '(untagged)' ? '' : w.wave)), { lanesAtOnce, perLaneConcurrency }, seed);
const packages = readPackageSizes();
const makespan = report.summary.virtualSeconds;
const mismatched = [...plannedHops].filter(([name, n]) => report.clusters.find((c) => c.name === name)?.hops.filter((h) => h.status === 'SUCCEEDED').length !== n).length;
const cost = runCost({ transitions: transitions.total, lambdaInvocations: lambda.invocations, billedMs: lambda.billedMs });
const waveOf = new Map(fleet.clusters.map((c) => [c.name, c.tags['cni-fleet/wave'] ?? '']));
const measuredWaves = bound.waves.map((w) => {
  const inWave = [...spans].filter(([name]) => (waveOf.get(name) || '(untagged)') === w.wave).map(([, s]) => s);
  const seconds = inWave.length ? (Math.max(...inWave.map((s) => s.end)) - Math.min(...inWave.map((s) => s.start))) / 1000 : 0;
  // Σ cluster spans / wave span = clusters running on average; Σ spans / Σ chains = how much longer a cluster
  // runs than its EKS updates take (first task to last task, so lock, snapshot, plan, polls and verify count).
  const spanSum = inWave.reduce((a, s) => a + (s.end - s.start) / 1000, 0);
  return {
    ...w,
    measuredSeconds: Math.round(seconds),
    ratio: w.boundSeconds ? seconds / w.boundSeconds : null,
    averageConcurrency: seconds ? spanSum / seconds : 0,
    clusterStretch: w.workSeconds ? spanSum / w.workSeconds : null,
  };
});

const per = (n: number): number => (hops ? n / hops : 0);
const byKind = (k: 'fleet' | 'lane' | 'cluster', field: 'maxHistoryEvents' | 'maxStateBytes'): number | null => {
  const values = Object.entries(executions.byKind).filter(([kind]) => kindOf(kind) === k).map(([, v]) => v[field]);
  return values.length ? Math.max(...values) : null;
};
const limits = {
  reportedExecutions: executions.reported,
  maxStateBytes: byKind('fleet', 'maxStateBytes'),
  maxStateBytesByKind: { fleet: byKind('fleet', 'maxStateBytes'), lane: byKind('lane', 'maxStateBytes'), cluster: byKind('cluster', 'maxStateBytes') },
  maxHistoryEvents: { fleet: byKind('fleet', 'maxHistoryEvents'), lane: byKind('lane', 'maxHistoryEvents'), cluster: byKind('cluster', 'maxHistoryEvents') },
  byKind: executions.byKind,
  quotaErrors: executions.quotaErrors,
  payloadLimitBytes: PAYLOAD_LIMIT_BYTES,
  historyLimitEvents: HISTORY_LIMIT_EVENTS,
};
const metrics = {
  wallSeconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  memory,
  makespanSeconds: makespan,
  makespanBoundSeconds: bound.waveBoundSeconds,
  makespanRatio: makespan / bound.waveBoundSeconds,
  // Against the bound as it was before each lane's clusters were packed exactly (bench/lower-bound.ts).
  relaxedBoundSeconds: bound.relaxedWaveBoundSeconds,
  relaxedMakespanRatio: makespan / bound.relaxedWaveBoundSeconds,
  poolBoundSeconds: bound.poolBoundSeconds,
  hops,
  eksCallsPerHop: per(report.summary.eksCalls),
  // Reads only: every EKS call but the update itself (UpdateAddon, or CreateAddon for a migration).
  eksReadsPerHop: per(Object.entries(report.summary.eksCallsByOperation).filter(([op]) => op !== 'UpdateAddon' && op !== 'CreateAddon').reduce((a, [, n]) => a + n, 0)),
  eksMutatingCallsPerHop: per(report.summary.eksMutatingCalls),
  dynamoRequestsPerHop: per(Object.values(report.summary.dynamoRequestsByOperation).reduce((a, b) => a + b, 0)),
  transitionsPerHop: per(transitions.total),
  hopLoopTransitionsPerHop: per(transitions.hopLoop),
  lambdaInvocationsPerHop: per(lambda.invocations),
  costPerClusterHop: per(cost.total),
  kubernetesRequestsPerHop: per(report.summary.kubernetesRequests),
  gateReadsPerHop: per(gateReads),
  gateWaitsPerHop: per(transitions.gateWaits),
  cpuSecondsPerHop: per((cpu.user + cpu.system) / 1e6),
  oracleRatio: polling.ours.oracleRatio,
};

/**
 * The same fleet and seed with the gate off (kubernetesAccess `off`): what the gate adds per hop is the difference,
 * measured rather than inferred (its longer first wait also changes how often EKS is polled).
 */
async function withoutGate(): Promise<{ transitionsPerHop: number; eksCallsPerHop: number; lambdaInvocationsPerHop: number; dynamoRequestsPerHop: number; makespanSeconds: number; cpuSeconds: number }> {
  let count = 0;
  let invocations = 0;
  const cpuBefore = process.cpuUsage();
  const off = await rehearse({
    ...withDataDir(rehearsal),
    runId: `bench-${seed}-gate-off`,
    options: { ...rehearsal.options, kubernetesAccess: 'off' },
    onTask: () => (invocations += 1),
    onTransition: () => (count += 1),
  });
  await off.close();
  rmSync(BENCH_DATA_DIR, { recursive: true, force: true });
  const used = process.cpuUsage(cpuBefore);
  const n = off.summary.hops || 1;
  const dynamo = Object.values(off.summary.dynamoRequestsByOperation).reduce((a, b) => a + b, 0);
  return {
    transitionsPerHop: count / n,
    eksCallsPerHop: off.summary.eksCalls / n,
    lambdaInvocationsPerHop: invocations / n,
    dynamoRequestsPerHop: dynamo / n,
    makespanSeconds: off.summary.virtualSeconds,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
const gateOff = args['compare-gate'] && access !== 'off' ? await withoutGate() : null;
const gateAdds = gateOff
  ? {
      transitionsPerHop: metrics.transitionsPerHop - gateOff.transitionsPerHop,
      eksCallsPerHop: metrics.eksCallsPerHop - gateOff.eksCallsPerHop,
      lambdaInvocationsPerHop: metrics.lambdaInvocationsPerHop - gateOff.lambdaInvocationsPerHop,
      dynamoRequestsPerHop: metrics.dynamoRequestsPerHop - gateOff.dynamoRequestsPerHop,
      kubernetesRequestsPerHop: metrics.kubernetesRequestsPerHop,
      makespanRatio: makespan / gateOff.makespanSeconds,
      cpuRatio: metrics.cpuSeconds / gateOff.cpuSeconds,
      off: gateOff,
    }
  : null;
const histories = Object.values(limits.maxHistoryEvents).filter((n): n is number => n !== null);
const largestHistory = histories.length ? Math.max(...histories) : null;
const targets = [
  {
    target: `${clusterCount.toLocaleString('en-US')} clusters rehearsed to the end, no limit exceeded`,
    value: report.execution.status === 'SUCCEEDED' && executions.quotaErrors.length === 0 ? 1 : 0,
    limit: 1,
    pass: report.execution.status === 'SUCCEEDED' && executions.quotaErrors.length === 0 && report.summary.total === clusterCount,
    shown: `${report.execution.status}${report.execution.cause ? ` (${report.execution.cause})` : ''}; ${report.summary.total} clusters; ${executions.quotaErrors.length} quota errors`,
  },
  {
    target: 'fleet’s largest state < 64 KiB',
    value: limits.maxStateBytes,
    limit: FLEET_STATE_TARGET_BYTES,
    pass: limits.maxStateBytes !== null && limits.maxStateBytes < FLEET_STATE_TARGET_BYTES,
    shown: limits.maxStateBytes === null ? 'not reported by this runner' : `${limits.maxStateBytes.toLocaleString('en-US')} B`,
  },
  {
    target: 'every execution’s history < 5,000 events',
    value: largestHistory,
    limit: HISTORY_TARGET_EVENTS,
    pass: largestHistory !== null && largestHistory < HISTORY_TARGET_EVENTS,
    shown: largestHistory === null ? 'not reported by this runner' : `fleet ${limits.maxHistoryEvents.fleet}, lane ${limits.maxHistoryEvents.lane}, cluster ${limits.maxHistoryEvents.cluster}`,
  },
  { target: 'virtual makespan ≤ 1.05 × lane-aware bound', value: metrics.makespanRatio, limit: 1.05, pass: metrics.makespanRatio <= 1.05, shown: `${metrics.makespanRatio.toFixed(3)}×` },
  { target: 'peak memory < 2 GiB', value: memory.maxRssMiB, limit: 2048, pass: memory.maxRssMiB < 2048, shown: `${Math.round(memory.maxRssMiB)} MiB` },
  { target: 'EKS API calls per hop ≤ 6', value: metrics.eksCallsPerHop, limit: 6, pass: metrics.eksCallsPerHop <= 6, shown: metrics.eksCallsPerHop.toFixed(2) },
  { target: 'state transitions per hop ≤ 12', value: metrics.transitionsPerHop, limit: 12, pass: metrics.transitionsPerHop <= 12, shown: metrics.transitionsPerHop.toFixed(2) },
  ...(clusterCount === 1000 && laneCount <= 4
    ? [{ target: '1,000 clusters in < 60 s wall', value: wallSeconds, limit: 60, pass: wallSeconds < 60, shown: `${wallSeconds.toFixed(1)} s` }]
    : []),
];

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (n: number): string => `$${n.toFixed(6)}`;
const table = new Table({ head: ['measure', 'value'], style: { head: [], border: [] }, colWidths: [44, 100], wordWrap: true });
table.push(
  ['clusters (by outcome)', `${report.summary.total} (${Object.entries(report.summary.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')})`],
  ['hops completed (planned hops matched)', `${fmt(hops)} (${mismatched === 0 ? 'all' : `${mismatched} clusters differ`})`],
  ['lanes, timing, concurrency', `${laneCount} lanes (${accounts} accounts × ${regions} Regions); ${timing}; ${lanesAtOnce} lanes at once × ${perLaneConcurrency} clusters per lane (each lane's wave longest planned upgrade first)`],
  ['fleet execution', `${report.execution.status}${report.execution.cause ? `: ${report.execution.cause}` : ''}`],
  ['wall time (rehearse + close)', `${wallSeconds.toFixed(1)} s (CPU ${metrics.cpuSeconds.toFixed(1)} s; fleet generated in ${(generationMs / 1000).toFixed(1)} s)`],
  ['peak memory', `RSS ${fmt(memory.rssMiB)} MiB sampled, ${fmt(memory.maxRssMiB)} MiB maxRSS; V8 heap ${fmt(memory.heapUsedMiB)} MiB used, ${fmt(memory.heapTotalMiB)} MiB reserved (limit ${fmt(memory.heapLimitMiB)} MiB); external ${fmt(memory.externalMiB)} MiB`],
  ['virtual makespan', `${fmt(makespan)} s`],
  ['lane-aware lower bound (Σ waves)', `${fmt(bound.waveBoundSeconds)} s → ratio ${metrics.makespanRatio.toFixed(3)}`],
  ['  relaxed (lanes split evenly over slots)', `${fmt(bound.relaxedWaveBoundSeconds)} s → ratio ${metrics.relaxedMakespanRatio.toFixed(3)}`],
  ...measuredWaves.map((w) => [
    `  wave ${w.wave} (${w.clusters} clusters, ${w.lanes} lanes)`,
    `${fmt(w.measuredSeconds)} s vs ${fmt(w.boundSeconds)} s bound (relaxed ${fmt(w.relaxedBoundSeconds)} s; longest chain ${fmt(w.longestChainSeconds)} s, busiest lane ${fmt(w.longestLaneSeconds)} s, work/slots ${fmt(w.workSeconds / (lanesAtOnce * perLaneConcurrency))} s); ` +
      `${w.averageConcurrency.toFixed(1)} clusters at once, each ${((w.clusterStretch ?? 0) * 100 - 100).toFixed(1)}% over its updates`,
  ]),
  [
    'largest state (fleet / lane / cluster)',
    limits.reportedExecutions === 0
      ? 'not reported by this runner'
      : `${String(limits.maxStateBytesByKind.fleet)} / ${String(limits.maxStateBytesByKind.lane)} / ${String(limits.maxStateBytesByKind.cluster)} B of ${fmt(PAYLOAD_LIMIT_BYTES)}`,
  ],
  [
    'largest history (fleet / lane / cluster)',
    limits.reportedExecutions === 0
      ? 'not reported by this runner'
      : `${String(limits.maxHistoryEvents.fleet)} / ${String(limits.maxHistoryEvents.lane)} / ${String(limits.maxHistoryEvents.cluster)} events of ${fmt(HISTORY_LIMIT_EVENTS)}`,
  ],
  ...Object.entries(executions.byKind).map(([kind, k]) => [`  ${kind}`, `${fmt(k.executions)} executions (${k.failed} not SUCCEEDED${k.failed > 0 ? `: ${Object.entries(k.errors).map(([n, c]) => `${n} ${c}`).join(', ')}` : ''}), history ≤ ${fmt(k.maxHistoryEvents)} events, state ≤ ${fmt(k.maxStateBytes)} B`]),
  ['bound without wave barriers (one pool)', `${fmt(bound.poolBoundSeconds)} s`],
  ['EKS API calls per hop', `${metrics.eksCallsPerHop.toFixed(2)} (${metrics.eksMutatingCallsPerHop.toFixed(2)} mutating; ${fmt(report.summary.eksCalls)} in all)`],
  ['  by operation', Object.entries(report.summary.eksCallsByOperation).map(([op, n]) => `${op} ${fmt(n)}`).join(', ')],
  ['DynamoDB requests per hop', `${metrics.dynamoRequestsPerHop.toFixed(2)} (${Object.entries(report.summary.dynamoRequestsByOperation).map(([op, n]) => `${op} ${fmt(n)}`).join(', ')})`],
  ['state transitions per hop', `${metrics.transitionsPerHop.toFixed(2)} (hop loop ${metrics.hopLoopTransitionsPerHop.toFixed(2)}; ${fmt(transitions.total)} in all, ${transitions.retries} retries)`],
  ['  by state type', Object.entries(transitions.byType).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')],
  ['Lambda invocations per hop', `${metrics.lambdaInvocationsPerHop.toFixed(2)} (billed ${fmt(lambda.billedMs)} ms at ${LAMBDA_MEMORY_MB} MB)`],
  [
    'aws-node rollout gate',
    `kubernetesAccess ${access}, soak ${soak} s: ${metrics.gateReadsPerHop.toFixed(2)} gate reads per hop, ${metrics.kubernetesRequestsPerHop.toFixed(2)} Kubernetes GETs per hop ` +
      `(pre-flight included), ${metrics.gateWaitsPerHop.toFixed(2)} WaitForRollout per hop`,
  ],
  ...(gateAdds
    ? [
        [
          '  what the gate adds per hop (vs. the same run with it off)',
          `${gateAdds.transitionsPerHop >= 0 ? '+' : ''}${gateAdds.transitionsPerHop.toFixed(2)} state transitions (${gateAdds.off.transitionsPerHop.toFixed(2)} → ${metrics.transitionsPerHop.toFixed(2)}), ` +
            `${gateAdds.kubernetesRequestsPerHop.toFixed(2)} Kubernetes GETs, ${gateAdds.eksCallsPerHop >= 0 ? '+' : ''}${gateAdds.eksCallsPerHop.toFixed(2)} EKS calls, ` +
            `${gateAdds.lambdaInvocationsPerHop >= 0 ? '+' : ''}${gateAdds.lambdaInvocationsPerHop.toFixed(2)} Lambda invocations, ${gateAdds.dynamoRequestsPerHop >= 0 ? '+' : ''}${gateAdds.dynamoRequestsPerHop.toFixed(2)} DynamoDB requests; ` +
            `makespan ×${gateAdds.makespanRatio.toFixed(3)} (${fmt(gateAdds.off.makespanSeconds)} s → ${fmt(makespan)} s); CPU ×${gateAdds.cpuRatio.toFixed(2)} (${gateAdds.off.cpuSeconds.toFixed(1)} s → ${metrics.cpuSeconds.toFixed(1)} s)`,
        ],
      ]
    : []),
  ['EKS reads per hop (UpdateAddon/CreateAddon excluded)', metrics.eksReadsPerHop.toFixed(2)],
  ['CPU per hop', `${(metrics.cpuSecondsPerHop * 1000).toFixed(2)} ms`],
  [
    'polling vs perfect detection',
    `oracleRatio ${metrics.oracleRatio.toFixed(3)} (replayed makespan ${fmt(polling.replayedSeconds)} s over ${fmt(polling.oracleSeconds)} s with every hop seen the instant it ended; ` +
      `${polling.ours.pollsPerHop.toFixed(2)} polls per hop, detection latency mean ${polling.ours.meanDetectionSeconds.toFixed(1)} s, worst ${polling.ours.worstDetectionSeconds.toFixed(0)} s)`,
  ],
  [
    'function packages (zipped)',
    packages.functions.length === 0
      ? 'not built (npm run package writes .serverless/)'
      : packages.functions.map((f) => `${f.name} ${fmt(f.kib)} KiB`).join(', '),
  ],
  ['cost per cluster-hop (list price)', `${usd(metrics.costPerClusterHop)} = SFN ${usd(per(cost.stepFunctions))} + Lambda req ${usd(per(cost.lambdaRequests))} + GB-s ${usd(per(cost.lambdaDuration))}`],
  ['cost of the run', `$${cost.total.toFixed(4)}`],
);
show(`${table.toString()}\n`);
const verdicts = new Table({ head: ['target', 'measured', ''], style: { head: [], border: [] } });
for (const t of targets) verdicts.push([t.target, t.shown, t.pass ? pc.green('PASS') : pc.red('MISS')]);
show(`${verdicts.toString()}\n`);
const peerTable = new Table({ head: ['polling policy (same hops)', 'polls per hop', 'mean detection', 'worst detection', 'makespan / perfect'], style: { head: [], border: [] } });
for (const p of [polling.ours, ...polling.peers])
  peerTable.push([p.policy, p.pollsPerHop.toFixed(2), `${p.meanDetectionSeconds.toFixed(1)} s`, `${p.worstDetectionSeconds.toFixed(0)} s`, `${p.oracleRatio.toFixed(3)}×`]);
show(`${peerTable.toString()}\n`);

// The command line's start-up (bench/cli-startup.ts), measured after the rehearsal so it does not compete with it.
const cliStartup = await measureCliStartup();
show(`CLI start-up: ${describeStartup(cliStartup)}\n`);

const result = {
  at: new Date().toISOString(),
  node: process.version,
  params: { clusters: clusterCount, accounts, regions, lanes: laneCount, lanesAtOnce, perLaneConcurrency, jitter, timing: speed === undefined ? 'event' : 'scaled', speed: speed ?? null, seed, settings: fleet.settings, dynamo: args['in-memory-dynamo'] ? 'memory' : 'disk', ...gateOptions },
  clusters: report.summary.total,
  lanes: laneCount,
  outcomes: report.summary.byStatus,
  execution: report.execution,
  wallSeconds,
  cpuSeconds: metrics.cpuSeconds,
  maxRssMiB: memory.maxRssMiB,
  makespanRatio: metrics.makespanRatio,
  relaxedMakespanRatio: metrics.relaxedMakespanRatio,
  eksCallsPerHop: metrics.eksCallsPerHop,
  eksReadsPerHop: metrics.eksReadsPerHop,
  dynamoRequestsPerHop: metrics.dynamoRequestsPerHop,
  lambdaInvocationsPerHop: metrics.lambdaInvocationsPerHop,
  maxPackageKiB: packages.maxKiB,
  packages: packages.functions,
  oracleRatio: metrics.oracleRatio,
  cpuSecondsPerHop: metrics.cpuSecondsPerHop,
  peers: polling.peers.map(({ policy, pollsPerHop, meanDetectionSeconds, worstDetectionSeconds, oracleRatio }) => ({ policy, pollsPerHop, meanDetectionSeconds, worstDetectionSeconds, oracleRatio })),
  polling: { ours: polling.ours, oracleSeconds: polling.oracleSeconds, replayedSeconds: polling.replayedSeconds, measuredSeconds: makespan },
  transitionsPerHop: metrics.transitionsPerHop,
  costPerClusterHop: metrics.costPerClusterHop,
  limits,
  metrics,
  gateAdds,
  waves: measuredWaves,
  eksCallsByOperation: report.summary.eksCallsByOperation,
  dynamoRequestsByOperation: report.summary.dynamoRequestsByOperation,
  transitions,
  lambda: { ...lambda, memoryMb: LAMBDA_MEMORY_MB },
  cost,
  cliStartup,
  targets: targets.map(({ target, value, limit, pass }) => ({ target, value, limit, pass })),
};
const out = args.out ?? '';
mkdirSync(fileURLToPath(new URL('.', `file://${out}`)), { recursive: true });
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(`bench: wrote ${out}\n`);
