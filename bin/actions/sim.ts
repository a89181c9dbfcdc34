import { isCniFleetError } from '../../lib/errors.js';
import { parseFleetFile, type FleetFile } from '../../lib/fleet/fleet-file.js';
import { isLoopbackHost, startSimulator, type Simulator } from '../../sim/server.js';
import { safeText } from '../../lib/cli/terminal-text.js';
import { readOptionFile } from './common.js';

/** Where `cni-fleet sim` writes; the process streams, or a capture in tests. */
export interface SimCommandIo {
  out(line: string): void;
  err(line: string): void;
}

export interface SimCommandOptions {
  fleet: string;
  port?: string;
  speed?: string;
  host?: string;
}

/** Exit status for bad input (a bad fleet file or option), distinct from 1 = failure. */
export const EXIT_BAD_INPUT = 2;

const parseNumberOption = (name: string, raw: string | undefined, fallback: number, valid: (n: number) => boolean): number => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!valid(n)) throw new Error(`--${name}: "${raw}" is not valid`);
  return n;
};

/**
 * Starts the simulator for `cni-fleet sim` and prints how to reach it. A bad fleet file or option prints
 * one line naming the field and resolves to EXIT_BAD_INPUT instead.
 *
 * @example
 * const result = await startSimCommand({ fleet: 'examples/fleet.json', speed: '20' }, { out: console.log, err: console.error });
 * if (typeof result !== 'number') await result.close();
 */
export async function startSimCommand(options: SimCommandOptions, io: SimCommandIo): Promise<Simulator | typeof EXIT_BAD_INPUT> {
  let port: number;
  let speed: number;
  try {
    port = parseNumberOption('port', options.port, 0, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535);
    speed = parseNumberOption('speed', options.speed, 20, (n) => Number.isFinite(n) && n > 0);
  } catch (error) {
    io.err(`cni-fleet sim: ${(error as Error).message}`);
    return EXIT_BAD_INPUT;
  }
  let fleet: FleetFile;
  try {
    fleet = parseFleetFile(await readOptionFile(options.fleet, '--fleet'));
  } catch (error) {
    // InputValidationError's message is already "field: problem" (lib/validation/parse-or-throw.ts).
    const reason = isCniFleetError(error) ? error.message : ((error as Error).message ?? String(error));
    io.err(`cni-fleet sim: ${options.fleet}: ${safeText(reason.split('\n')[0] ?? '', { oneLine: true })}`);
    return EXIT_BAD_INPUT;
  }
  const host = options.host ?? '127.0.0.1';
  const sim = await startSimulator({ fleet, speed, port, host });
  // The simulator takes any credentials and changes clusters on request: say so when others can reach it.
  if (!isLoopbackHost(host)) io.err(`cni-fleet sim: warning: listening on ${host}, beyond this machine; anyone who can reach ${sim.endpoint} can read and change its clusters (no real authentication)`);
  const example = fleet.clusters.find((c) => c.addon) ?? fleet.clusters[0];
  const updateSeconds = fleet.settings.updateSeconds;
  io.out(`EKS API simulator: ${fleet.clusters.length} cluster(s) from ${options.fleet} at ${sim.endpoint}`);
  io.out(`Virtual time runs ${speed}x: the ${updateSeconds} s base of an add-on update takes ${(updateSeconds / speed).toFixed(1)} s.`);
  io.out('Try (any credentials; a 12-digit access key id scopes to that account):');
  io.out(
    `  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws eks describe-addon --cluster-name ${example?.name ?? 'CLUSTER'} --addon-name vpc-cni --endpoint-url ${sim.endpoint} --region ${example?.region ?? 'us-east-1'}`,
  );
  io.out('Ctrl-C stops it.');
  return sim;
}

/**
 * `cni-fleet sim`: serves the simulator until SIGINT or SIGTERM.
 */
export async function runSim(options: SimCommandOptions): Promise<void> {
  const io: SimCommandIo = { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) };
  // Listen for signals before anything is printed: "Ctrl-C stops it" must be true as soon as it shows.
  let requestStop = (): void => undefined;
  const stopRequested = new Promise<void>((resolve) => {
    requestStop = resolve;
  });
  const stop = (): void => requestStop();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const result = await startSimCommand(options, io);
    if (typeof result === 'number') {
      process.exitCode = result;
      return;
    }
    await stopRequested;
    await result.close();
    io.out(`Stopped after ${result.calls.length} request(s).`);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
