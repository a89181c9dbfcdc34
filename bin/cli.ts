import { Command, CommanderError } from 'commander';
import packageJson from '../package.json' with { type: 'json' };
import { registerAbort } from './commands/abort.js';
import { registerControls } from './commands/controls.js';
import { registerRollback } from './commands/rollback.js';
import { registerHistory } from './commands/history.js';
import { registerPlan } from './commands/plan.js';
import { registerRehearse } from './commands/rehearse.js';
import { registerReport } from './commands/report.js';
import { registerRetry } from './commands/retry.js';
import { registerRuns } from './commands/runs.js';
import { registerSim } from './commands/sim.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { ExitCode } from './commands/cli-helpers.js';
import { safeText } from '../lib/cli/terminal-text.js';

// Every command module only declares its options and help; what a command does is imported when it runs
// (bin/actions/), so `--help`, `--version` and a usage error load nothing but commander.

// A reader that stops early (`cni-fleet plan | head`) closes the pipe: that ends the command quietly, as for any
// Unix tool, instead of an EPIPE stack.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });

const program = new Command()
  .name('cni-fleet')
  .description('Upgrade the Amazon EKS vpc-cni add-on across a fleet, one minor version at a time.')
  .version(packageJson.version, '--version', 'print the version and exit')
  .showHelpAfterError('(add --help for usage)')
  // Usage errors are bad input: exit 2, as documented, not commander's 1.
  .exitOverride();

// `--profile P` is everything `AWS_PROFILE=P` is, as in the AWS CLI: the SDK reads the profile's endpoint_url,
// services section and settings for the environment's profile only, so the command line sets it before any client exists.
program.hook('preAction', (_program, command) => {
  const { profile } = command.opts<{ profile?: string }>();
  if (profile !== undefined) process.env['AWS_PROFILE'] = profile;
});

for (const register of [registerPlan, registerRehearse, registerSim, registerStart, registerStatus, registerRuns, registerRetry, registerReport, registerHistory, registerAbort, registerControls, registerRollback]) register(program);

program.addHelpText(
  'after',
  '\nExit codes: 0 done, 1 AWS or other failure, 2 bad input or usage, 3 a followed execution ended FAILED, TIMED_OUT or\n' +
    'ABORTED, 130 interrupted. Each command\'s --help lists its own.\n' +
    '\nExamples:\n' +
    '  cni-fleet rehearse --fleet examples/fleet.json            # rehearse the sample fleet on this machine\n' +
    '  cni-fleet status RUN_ID --local --only FAILED              # what failed in it\n' +
    '  cni-fleet plan --input examples/inputs/fleet-list.json --profile prod\n' +
    '  cni-fleet start --stage prod --input examples/inputs/fleet-list.json --wait\n',
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and --version end with exitCode 0; everything else commander refuses is a usage error.
    process.exitCode = error.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
  } else {
    // Commands report their own failures; anything that escapes them is still one line (the stack with --debug).
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`cni-fleet: ${safeText(message, { oneLine: true })}\n`);
    if (process.argv.includes('--debug') && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    process.exitCode = ExitCode.FAILURE;
  }
}
