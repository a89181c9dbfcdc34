import type { Command } from 'commander';
import { exitCodesHelp } from './cli-helpers.js';

/**
 * Registers `cni-fleet sim --fleet FILE [--port N] [--speed N] [--host H]`: serves the simulator until SIGINT
 * or SIGTERM.
 *
 * @example
 * registerSim(new Command());
 */
export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('Serve the EKS API simulator for a fleet file (the real AWS CLI and SDK work against it)')
    .requiredOption('--fleet <file>', 'fleet file (JSON)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--speed <n>', 'virtual seconds per real second', '20')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addHelpText('after', exitCodesHelp('0 stopped by Ctrl-C or SIGTERM') + '\nExample:\n  cni-fleet sim --fleet examples/fleet.json --port 4566 --speed 20\n')
    .action(async (options: { fleet: string; port?: string; speed?: string; host?: string }) => {
      const { runSim } = await import('../actions/sim.js');
      await runSim(options);
    });
}
