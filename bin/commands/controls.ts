import { Option, type Command } from 'commander';
import { ENVIRONMENT_HELP, LOCAL_DATA_DIR, addAwsOptions, addProgressOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { ControlOptions } from '../actions/controls.js';

const WHERE =
  'The run is a deployed one (--stage, or --table with --region) or a rehearsal that is running now (--local [DIR], the ' +
  `default without --stage or --table: the folder ${LOCAL_DATA_DIR} \`npm start\` uses, reached through the endpoints the ` +
  'running rehearsal advertises there).';

/** The options every control command shares: where the run is, and who acts. */
function controlCommand(program: Command, name: string, summary: string, description: string): Command {
  const command = program
    .command(name)
    .summary(summary)
    .description(`${description}\n\n${WHERE}`)
    .argument('<run>', 'the run id (the fleet execution\'s name), or the fleet execution ARN')
    .option('--by <name>', 'who acts, as the records and the notification show it (default: the user name of this session)');
  addProgressOptions(command, 'act on the rehearsal running with this data folder');
  return addAwsOptions(command, 'of the stage (its progress table and state machines)');
}

/**
 * Registers `cni-fleet approve|reject|pause|resume RUN` (docs/operating-a-run.md): answer a wave's approval gate
 * with SendTaskSuccess/SendTaskFailure on the task token the workflow stored, or set the run's control record that
 * the workflow reads before each cluster and each wave.
 *
 * @example
 * registerControls(new Command('cni-fleet')); // cni-fleet approve weekly-48 --wave 1 --stage prod
 */
export function registerControls(program: Command, io: CommandIo = processIo): void {
  const run = (action: 'approve' | 'reject' | 'pause' | 'resume') => async (runArg: string, options: ControlOptions) => {
    const { runControl } = await import('../actions/controls.js');
    io.exit(await runControl(action, runArg, options, io));
  };
  controlCommand(program, 'approve', 'approve the wave a run waits for', 'Approve the wave whose approval gate the run waits at: SendTaskSuccess on the task token stored in the progress table. The workflow records who approved and starts the wave.')
    .option('--wave <name>', 'only if the waiting wave is this one (its wave tag value; untagged for clusters without the tag)')
    .option('--note <text>', 'recorded with the approval')
    .addHelpText(
      'after',
      ENVIRONMENT_HELP +
        exitCodesHelp('0 approved', '1 also when the run waits for no approval (or the gate ended meanwhile)') +
        '\nExamples:\n  cni-fleet approve weekly-48 --wave 1 --stage prod --region eu-west-1\n  cni-fleet approve rehearsal-2026-12-07T10-00-00-000Z --local        # a rehearsal waiting in another terminal',
    )
    .action(run('approve'));
  controlCommand(program, 'reject', 'reject the wave a run waits for: the run halts', 'Reject the wave whose approval gate the run waits at: SendTaskFailure (ApprovalRejected) on its task token. The run halts: this wave and every later one records its clusters SKIPPED with the reason, and the run ends HALTED.')
    .option('--wave <name>', 'only if the waiting wave is this one (its wave tag value; untagged for clusters without the tag)')
    .addOption(new Option('--reason <text>', 'why (recorded on every cluster left out, and in the run\'s summary)').makeOptionMandatory())
    .addHelpText('after', ENVIRONMENT_HELP + exitCodesHelp('0 rejected', '1 also when the run waits for no approval') + '\nExamples:\n  cni-fleet reject weekly-48 --wave 1 --reason "canary pages on 5xx" --stage prod')
    .action(run('reject'));
  controlCommand(program, 'pause', 'pause a run: it starts no new cluster until resumed', 'Pause a run: before each cluster starts and before each wave the workflow reads the run\'s control record; while it says paused, nothing new starts (clusters already changing finish their hops). A pause longer than the run\'s maxPauseSeconds halts the run.')
    .option('--reason <text>', 'why (shown on every cluster the pause holds)')
    .addHelpText('after', ENVIRONMENT_HELP + exitCodesHelp('0 paused', '1 also when the run has ended or is paused already') + '\nExamples:\n  cni-fleet pause weekly-48 --reason "incident 4711" --stage prod')
    .action(run('pause'));
  controlCommand(program, 'resume', 'resume a paused run', 'Resume a paused run: the clusters and the wave it holds start at their next look (within controlPollSeconds).')
    .addHelpText('after', ENVIRONMENT_HELP + exitCodesHelp('0 resumed', '1 also when the run has ended or is not paused') + '\nExamples:\n  cni-fleet resume weekly-48 --stage prod')
    .action(run('resume'));
}
