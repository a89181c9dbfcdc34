import { Command } from 'commander';

// One module per command (bin/commands/*.ts). Each pulls in its own world (the simulator, the local runner, the
// SDK clients, the Kubernetes client), so only the command being run is loaded: `cni-fleet status` does not pay
// for the rehearsal's imports. Without a known command name (`--help`, a typo) all are registered, so help and
// "unknown command" suggestions stay complete.
const COMMANDS: Readonly<Record<string, () => Promise<(program: Command) => void>>> = {
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  sim: async () => (await import('./commands/sim.js')).registerSim,
  rehearse: async () => (await import('./commands/rehearse.js')).registerRehearse,
  start: async () => (await import('./commands/start.js')).registerStart,
  status: async () => (await import('./commands/status.js')).registerStatus,
  history: async () => (await import('./commands/history.js')).registerHistory,
  abort: async () => (await import('./commands/abort.js')).registerAbort,
};

const program = new Command()
  .name('cni-fleet')
  .description('Upgrade the Amazon EKS vpc-cni add-on across a fleet, one minor version at a time.')
  .showHelpAfterError();

const requested = process.argv[2];
const names = requested !== undefined && Object.hasOwn(COMMANDS, requested) ? [requested] : Object.keys(COMMANDS);
for (const name of names) (await COMMANDS[name]!())(program);

await program.parseAsync(process.argv);
