/**
 * `npm run bench [-- --clusters N --speed S --concurrency C --seed N]`: rehearses a generated fleet through the
 * real local workflow (lib/local/rehearsal.ts: the statemachines/*.asl.json, the handlers, the EKS simulator,
 * dynalite) and prints what it measured against the targets of issue #3. Not a test: nothing here asserts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import pc from 'picocolors';
import { rehearse } from '../lib/local/rehearsal.js';
import type { TaskEvent, TransitionEvent } from '../lib/local/workflow-runner.js';
import { generateFleet } from './fleet-generator.js';
import { makespanBound } from './lower-bound.js';
import { startMemorySampler } from './memory-sampler.js';
import { LAMBDA_MEMORY_MB, runCost } from './prices.js';

const { values: args } = parseArgs({
  options: {
    clusters: { type: 'string', default: '1000' },
    // Absent: discrete-event virtual time (lib/local/virtual-timer.ts). A number: the scaled clock at that speed.
    speed: { type: 'string' },
    concurrency: { type: 'string', default: '40' },
    seed: { type: 'string', default: '20261122' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/latest.json', import.meta.url)) },
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
const speed = args.speed === undefined ? undefined : positive('speed', args.speed);
const timing = speed === undefined ? 'event-driven virtual time' : `scaled virtual time, ${speed} virtual s per real s`;
const concurrency = Math.floor(positive('concurrency', args.concurrency, 40));
const seed = Math.floor(positive('seed', args.seed));

// The states of the hop loop (statemachines/upgrade-cluster.asl.json); every other state is per-cluster or per-run.
const HOP_LOOP = new Set(['HasNextHop', 'ApplyHop', 'WaitForHop', 'PollHop', 'IsHopDone', 'RecordHop']);

const clusterOf = (input: unknown): string | undefined => {
  const i = input as { cluster?: { name?: string }; input?: { cluster?: { name?: string } } } | undefined;
  return i?.cluster?.name ?? i?.input?.cluster?.name;
};

const generated = performance.now();
const { fleet, plannedHops } = generateFleet({ clusters: clusterCount, seed });
const generationMs = performance.now() - generated;

const transitions = { total: 0, retries: 0, hopLoop: 0, byType: {} as Record<string, number>, byMachine: {} as Record<string, number> };
const lambda = { invocations: 0, billedMs: 0, maxMs: 0 };
const spans = new Map<string, { start: number; end: number }>();
const onTransition = (t: TransitionEvent): void => {
  transitions.total += 1;
  if (t.kind === 'retried') transitions.retries += 1;
  if (t.machine === 'UpgradeClusterStateMachine' && HOP_LOOP.has(t.stateName)) transitions.hopLoop += 1;
  transitions.byType[t.stateType] = (transitions.byType[t.stateType] ?? 0) + 1;
  transitions.byMachine[t.machine] = (transitions.byMachine[t.machine] ?? 0) + 1;
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

process.stderr.write(`bench: rehearsing ${clusterCount} clusters (${timing}, concurrency ${concurrency})…\n`);
const sampler = startMemorySampler();
const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const report = await rehearse({
  fleet,
  ...(speed === undefined ? { virtualTime: 'event' as const } : { speed, virtualTime: 'scaled' as const }),
  runId: `bench-${seed}`,
  options: { target: 'default', perLaneConcurrency: concurrency, failureThreshold: 0 },
  onTask,
  onTransition,
});
await report.close();
const wallSeconds = (performance.now() - wallStart) / 1000;
const cpu = process.cpuUsage(cpuStart);
const memory = sampler.stop();

const hopsByCluster = new Map(report.clusters.map((c) => [c.name, c.hops.filter((h) => h.status === 'SUCCEEDED').length]));
const hops = report.summary.hops;
const bound = makespanBound(fleet, hopsByCluster, concurrency);
const makespan = report.summary.virtualSeconds;
const mismatched = [...plannedHops].filter(([name, n]) => hopsByCluster.get(name) !== n).length;
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
const metrics = {
  wallSeconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  memory,
  makespanSeconds: makespan,
  makespanBoundSeconds: bound.waveBoundSeconds,
  makespanRatio: makespan / bound.waveBoundSeconds,
  poolBoundSeconds: bound.poolBoundSeconds,
  hops,
  eksCallsPerHop: per(report.summary.eksCalls),
  eksMutatingCallsPerHop: per(report.summary.eksMutatingCalls),
  dynamoRequestsPerHop: per(Object.values(report.summary.dynamoRequestsByOperation).reduce((a, b) => a + b, 0)),
  transitionsPerHop: per(transitions.total),
  hopLoopTransitionsPerHop: per(transitions.hopLoop),
  lambdaInvocationsPerHop: per(lambda.invocations),
  costPerClusterHop: per(cost.total),
};
const targets = [
  { target: 'virtual makespan ≤ 1.10 × lower bound', value: metrics.makespanRatio, limit: 1.1, pass: metrics.makespanRatio <= 1.1, shown: `${metrics.makespanRatio.toFixed(3)}×` },
  { target: 'EKS API calls per hop ≤ 6', value: metrics.eksCallsPerHop, limit: 6, pass: metrics.eksCallsPerHop <= 6, shown: metrics.eksCallsPerHop.toFixed(2) },
  { target: 'state transitions per hop ≤ 12', value: metrics.transitionsPerHop, limit: 12, pass: metrics.transitionsPerHop <= 12, shown: metrics.transitionsPerHop.toFixed(2) },
  {
    target: `${clusterCount === 1000 ? '1,000' : clusterCount} clusters in < 60 s wall`,
    value: wallSeconds,
    limit: 60,
    pass: wallSeconds < 60,
    shown: `${wallSeconds.toFixed(1)} s`,
  },
];

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const usd = (n: number): string => `$${n.toFixed(6)}`;
const table = new Table({ head: ['measure', 'value'], style: { head: [] }, colWidths: [44, 100], wordWrap: true });
table.push(
  ['clusters (by outcome)', `${report.summary.total} (${Object.entries(report.summary.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')})`],
  ['hops completed (planned hops matched)', `${fmt(hops)} (${mismatched === 0 ? 'all' : `${mismatched} clusters differ`})`],
  ['timing, concurrency', `${timing}; ${concurrency} clusters at once per wave (SelectClusters orders each wave longest planned upgrade first)`],
  ['wall time (rehearse + close)', `${wallSeconds.toFixed(1)} s (CPU ${metrics.cpuSeconds.toFixed(1)} s; fleet generated in ${(generationMs / 1000).toFixed(1)} s)`],
  ['peak memory', `RSS ${fmt(memory.rssMiB)} MiB sampled, ${fmt(memory.maxRssMiB)} MiB maxRSS; heap ${fmt(memory.heapUsedMiB)} MiB`],
  ['virtual makespan', `${fmt(makespan)} s`],
  ['lower bound (Σ waves max(chain, work / concurrency))', `${fmt(bound.waveBoundSeconds)} s → ratio ${metrics.makespanRatio.toFixed(3)}`],
  ...measuredWaves.map((w) => [
    `  wave ${w.wave} (${w.clusters} clusters)`,
    `${fmt(w.measuredSeconds)} s vs ${fmt(w.boundSeconds)} s bound (longest chain ${fmt(w.longestChainSeconds)} s, work/c ${fmt(w.workSeconds / concurrency)} s); ` +
      `${w.averageConcurrency.toFixed(1)} clusters at once, each ${((w.clusterStretch ?? 0) * 100 - 100).toFixed(1)}% over its updates`,
  ]),
  ['bound without wave barriers (one pool)', `${fmt(bound.poolBoundSeconds)} s`],
  ['EKS API calls per hop', `${metrics.eksCallsPerHop.toFixed(2)} (${metrics.eksMutatingCallsPerHop.toFixed(2)} mutating; ${fmt(report.summary.eksCalls)} in all)`],
  ['  by operation', Object.entries(report.summary.eksCallsByOperation).map(([op, n]) => `${op} ${fmt(n)}`).join(', ')],
  ['DynamoDB requests per hop', `${metrics.dynamoRequestsPerHop.toFixed(2)} (${Object.entries(report.summary.dynamoRequestsByOperation).map(([op, n]) => `${op} ${fmt(n)}`).join(', ')})`],
  ['state transitions per hop', `${metrics.transitionsPerHop.toFixed(2)} (hop loop ${metrics.hopLoopTransitionsPerHop.toFixed(2)}; ${fmt(transitions.total)} in all, ${transitions.retries} retries)`],
  ['  by state type', Object.entries(transitions.byType).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')],
  ['Lambda invocations per hop', `${metrics.lambdaInvocationsPerHop.toFixed(2)} (billed ${fmt(lambda.billedMs)} ms at ${LAMBDA_MEMORY_MB} MB)`],
  ['cost per cluster-hop (list price)', `${usd(metrics.costPerClusterHop)} = SFN ${usd(per(cost.stepFunctions))} + Lambda req ${usd(per(cost.lambdaRequests))} + GB-s ${usd(per(cost.lambdaDuration))}`],
  ['cost of the run', `$${cost.total.toFixed(4)}`],
);
process.stdout.write(`${table.toString()}\n`);
const verdicts = new Table({ head: ['target', 'measured', ''], style: { head: [] } });
for (const t of targets) verdicts.push([t.target, t.shown, t.pass ? pc.green('PASS') : pc.red('MISS')]);
process.stdout.write(`${verdicts.toString()}\n`);

const out = args.out ?? '';
mkdirSync(fileURLToPath(new URL('.', `file://${out}`)), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      node: process.version,
      params: { clusters: clusterCount, timing: speed === undefined ? 'event' : 'scaled', speed: speed ?? null, concurrency, seed, settings: fleet.settings },
      outcomes: report.summary.byStatus,
      metrics,
      waves: measuredWaves,
      eksCallsByOperation: report.summary.eksCallsByOperation,
      dynamoRequestsByOperation: report.summary.dynamoRequestsByOperation,
      transitions,
      lambda: { ...lambda, memoryMb: LAMBDA_MEMORY_MB },
      cost,
      targets: targets.map(({ target, value, limit, pass }) => ({ target, value, limit, pass })),
    },
    null,
    2,
  )}\n`,
);
process.stderr.write(`bench: wrote ${out}\n`);
