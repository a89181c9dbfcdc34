import { Option, type Command } from 'commander';
import { UPGRADE_DEFAULTS } from '../../lib/schemas/upgrade-defaults.js';
import { LOCAL_DATA_DIR, addOutputOptions, exitCodesHelp } from './cli-helpers.js';
import type { RehearseOptions } from '../actions/rehearse.js';


export function registerRehearse(program: Command): void {
  const command = program
    .command('rehearse')
    .summary('rehearse a fleet upgrade on this machine (the real workflow against the EKS simulator)')
    .description(
      'Rehearse a fleet upgrade on this machine: the real workflow definitions and handlers against the EKS simulator ' +
        'and a local DynamoDB. Options not given take the deployed workflow\'s own defaults. Writes REPORT_DIR/RUN.json ' +
        'and REPORT_DIR/RUN.html, and keeps the progress log in DATA_DIR for `status`, `runs`, `report`, `retry` and ' +
        '`history` with --local.',
    )
    .requiredOption('--fleet <file>', 'fleet file (JSON): the simulated clusters')
    .option('--input <file>', 'an execution input (JSON, as for `start`): its clusters list or selector, waveTag, skipTag and options; the options below override its options')
    .option('--target <target>', `default | latest | vX.Y.Z-eksbuild.N (default: ${UPGRADE_DEFAULTS.target})`)
    .option('--lanes-at-once <n>', `lanes (account × Region) upgraded at once within a wave, 1-10000 (default: ${UPGRADE_DEFAULTS.lanesAtOnce})`)
    .option('--per-lane-concurrency <n>', `clusters upgraded at once in one lane, 1-40 (default: ${UPGRADE_DEFAULTS.perLaneConcurrency})`)
    .option('--failure-threshold <n>', `later waves do not start once this many clusters FAILED; 0 never halts (default: ${UPGRADE_DEFAULTS.failureThreshold})`)
    .option('--dry-run', 'plan and record only; change nothing: each cluster\'s planned hops are shown and reported')
    .addOption(
      new Option('--approve <how>', 'how approval gates are answered: auto approves each at once; prompt asks in this terminal (another terminal may answer first: `cni-fleet approve|reject RUN --local`); wait leaves them to other terminals or the gate\'s timeout')
        .choices(['auto', 'prompt', 'wait'])
        .default('auto'),
    )
    .option('--kubernetes-access <mode>', `aws-node pre-flight and rollout gate when the cluster's Kubernetes API refuses or does not answer: required | best-effort | off (default: ${UPGRADE_DEFAULTS.kubernetesAccess})`)
    .option('--soak <seconds>', `after each hop, every aws-node container must run this long without a restart, 0-1800; 0: no soak (default: ${UPGRADE_DEFAULTS.rolloutSoakSeconds})`)
    .option('--speed <n>', 'virtual seconds per real second', '100')
    .option('--data-dir <dir>', 'where dynalite keeps the progress log', LOCAL_DATA_DIR)
    .option('--report-dir <dir>', 'where the JSON and HTML reports go', 'reports');
  addOutputOptions(command).addHelpText(
    'after',
    exitCodesHelp(
      '0 the fleet execution SUCCEEDED (BLOCKED and SKIPPED clusters included: see the table and report)',
      '3 the fleet execution ended FAILED (clusters FAILED, or the failure budget halted it): one line gives the cause; the report is written',
      '1 also when another process holds --data-dir (one line names it)',
      '130 stopped by Ctrl-C or SIGTERM: unfinished clusters ABORTED, their locks released, the report written',
    ) +
      '\nExamples:\n' +
      '  cni-fleet rehearse --fleet examples/fleet.json\n' +
      '  cni-fleet rehearse --fleet examples/fleet.json --dry-run --target latest\n' +
      '  cni-fleet rehearse --fleet examples/fleet.json --input examples/inputs/fleet-approval.json --approve prompt\n' +
      '  cni-fleet rehearse --fleet examples/fleet.json --input examples/inputs/fleet-dry-run.json --output json --query "clusters[?status==\'FAILED\'].name"\n',
  );
  command.action(async (options: RehearseOptions) => {
    const { runRehearse } = await import('../actions/rehearse.js');
    process.exitCode = await runRehearse(options);
  });
}
