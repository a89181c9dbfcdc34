import { Command } from 'commander';
import { registerPlan } from './commands/plan.js';
import { registerSim } from './commands/sim.js';
import { registerRehearse } from './commands/rehearse.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerHistory } from './commands/history.js';

// One program, one module per command (bin/commands/*.ts), so `--help` is complete for every command.
const program = new Command()
  .name('cni-fleet')
  .description('Upgrade the Amazon EKS vpc-cni add-on across a fleet, one minor version at a time.')
  .showHelpAfterError();

registerPlan(program);
registerSim(program);
registerRehearse(program);
registerStart(program);
registerStatus(program);
registerHistory(program);

await program.parseAsync(process.argv);
