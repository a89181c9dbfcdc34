import { Option, type Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { RollbackOptions } from '../actions/rollback.js';

/**
 * Registers `cni-fleet rollback --cluster KEY` (docs/operating-a-run.md, "Rollback"): finds the cluster's last hop
 * in the progress table, asks the operator to confirm it (`--yes` for automation) and starts the cluster workflow
 * with the rollback as its input, which checks every rule again against the add-on as it is.
 *
 * @example
 * registerRollback(new Command('cni-fleet')); // cni-fleet rollback --cluster 111122223333/eu-west-1/payments --stage prod
 */
export function registerRollback(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('rollback')
    .summary('move a cluster\'s add-on back to the build it ran before its last hop')
    .description(
      'Roll back the last hop of a cluster: the add-on moves back to the build it ran before that hop (one minor at ' +
        'most), with the configuration, role and pod identity associations that hop carried, re-validated against the ' +
        'older build\'s schema. It runs as the cluster workflow (lock, snapshot, plan, one hop judged by the rollout ' +
        'gate, verify) and is recorded as a rollback. Refused, before any change, when the last hop was itself a ' +
        'rollback, spans more than one minor, or the add-on changed since it (the refusal says what differs). Never ' +
        'automatic: the operator confirms the hop shown.',
    )
    .requiredOption('--cluster <key>', 'the cluster key ACCOUNT/REGION/NAME (as `cni-fleet history` and the records show it)')
    .option('--reason <text>', 'why (recorded with the rollback)')
    .option('--yes', 'do not ask: roll back the hop found (for automation)')
    .addOption(new Option('--stage <stage>', 'deployed stage: the cluster workflow and the progress table come from its stack outputs').env('CNI_FLEET_STAGE'))
    .addOption(new Option('--table <name>', 'progress table name (with --cluster-state-machine-arn, instead of --stage)').env('CNI_FLEET_TABLE'))
    .option('--cluster-state-machine-arn <arn>', 'the cluster workflow (instead of --stage)');
  addAwsOptions(command, 'of the stage (default: the cluster\'s)')
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}` +
        exitCodesHelp('0 the rollback execution started (follow it with `cni-fleet status RUN`)', '1 also when the history refuses it or the operator declined') +
        '\nExamples:\n' +
        '  cni-fleet rollback --cluster 111122223333/eu-west-1/payments --stage prod --reason "aws-node crash-looping"\n' +
        '  cni-fleet rollback --cluster 111122223333/eu-west-1/payments --stage prod --yes --output json\n' +
        'In the console: start the cluster workflow with examples/inputs/cluster-rollback.json, its builds as this command shows them.\n',
    )
    .action(async (options: RollbackOptions) => {
      const { runRollback } = await import('../actions/rollback.js');
      io.exit(await runRollback(options, io));
    });
}
