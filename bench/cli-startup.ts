/**
 * How long `cni-fleet --help` takes, start to exit, as an operator's shell runs it: the compiled CLI
 * (bin/cni-fleet.js → dist/cli/), rebuilt first so the figure is the current code's. Wall time and the child's CPU
 * time (user + system, from the shell's `times`) per run; min, median and max over the runs. Not a test: nothing
 * here asserts. `npx tsx bench/cli-startup.ts [runs]` measures it alone; bench/run.ts reports it with the rest.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../scripts/build-cli.js';

const CLI = fileURLToPath(new URL('../bin/cni-fleet.js', import.meta.url));

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface CliStartup {
  readonly command: string;
  readonly runs: number;
  readonly wallMs: Spread;
  readonly cpuMs: Spread;
}

const spread = (values: readonly number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0] ?? 0, median: sorted[Math.floor(sorted.length / 2)] ?? 0, max: sorted.at(-1) ?? 0 };
};

// `times` prints the shell's own and then its children's user and system time, e.g. "0m0.081s 0m0.020s".
const seconds = (text: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
};

/**
 * Runs `node bin/cni-fleet.js ARGS` `runs` times after one warm-up run.
 *
 * @example
 * const startup = await measureCliStartup({ runs: 10 }); // { wallMs: { median: 140, … }, cpuMs: { median: 110, … } }
 */
export async function measureCliStartup(options: { readonly runs?: number; readonly args?: readonly string[] } = {}): Promise<CliStartup> {
  await buildCli();
  const runs = options.runs ?? 10;
  const args = options.args ?? ['--help'];
  const script = `"${process.execPath}" "${CLI}" ${args.map((a) => `'${a}'`).join(' ')} >/dev/null 2>&1; times`;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const started = performance.now();
    const result = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
    const elapsed = performance.now() - started;
    if (i === 0) continue;
    const children = result.stdout.trim().split('\n').at(-1)?.split(/\s+/) ?? [];
    wall.push(elapsed);
    cpu.push((seconds(children[0] ?? '') + seconds(children[1] ?? '')) * 1000);
  }
  return { command: `cni-fleet ${args.join(' ')}`, runs, wallMs: spread(wall), cpuMs: spread(cpu) };
}

/** One line for a report: `cni-fleet --help: 142 ms wall (min 130, max 170), 110 ms CPU, 10 runs`. */
export const describeStartup = (s: CliStartup): string =>
  `${s.command}: ${Math.round(s.wallMs.median)} ms wall (min ${Math.round(s.wallMs.min)}, max ${Math.round(s.wallMs.max)}), ${Math.round(s.cpuMs.median)} ms CPU (median of ${s.runs} runs)`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? 10);
  process.stdout.write(`${describeStartup(await measureCliStartup({ runs: Number.isInteger(runs) && runs > 0 ? runs : 10 }))}\n`);
}
