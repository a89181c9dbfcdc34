import type { Command } from 'commander';
import { ENVIRONMENT_HELP, addAwsOptions, exitCodesHelp, processIo, type CommandIo } from './cli-helpers.js';
import type { PlanOptions } from '../actions/plan.js';

export type { CommandIo };

/**
 * Registers `cni-fleet plan`: the minor-by-minor vpc-cni plan of every cluster, from a fleet file or read-only
 * from AWS (the clusters of an execution input, or of one account and Region). Changes nothing anywhere.
 *
 * @example
 * registerPlan(new Command('cni-fleet')); // cni-fleet plan --fleet examples/fleet.json --json
 */
export function registerPlan(program: Command, io: CommandIo = processIo): void {
  const command = program
    .command('plan')
    .summary('show each cluster\'s minor-by-minor vpc-cni upgrade path (read-only)')
    .description(
      'Plan the vpc-cni add-on upgrade of every cluster, one minor version per hop, without changing anything. ' +
        'Clusters come from a fleet file (--fleet; planned against the simulator catalogue), from an execution input ' +
        '(--input: the same file `start` takes — its clusters list or its selector of Regions, tags, name prefix and ' +
        'accounts with their roles; its options.target and allowDowngrade), or from every cluster of one account and ' +
        'Region. AWS is read-only: ListClusters, DescribeCluster, DescribeAddon, DescribeAddonVersions; Regions and ' +
        'accounts are read in parallel, and a cluster that cannot be read is an error row, not the end of the plan.',
    )
    .option('--fleet <file>', 'plan the clusters of this fleet file (JSON) instead of reading AWS')
    .option('--input <file>', 'plan, read-only from AWS, the clusters of this execution input (JSON, as for `start`)')
    .option('--target <target>', '"default" (the build EKS flags default for each cluster\'s Kubernetes version), "latest" (the newest offered build), or an exact build vX.Y.Z-eksbuild.N (default: the input\'s options.target, else "default")')
    .option('--allow-downgrade', 'plan a step down, still one minor at a time, when an exact --target is older than the installed version');
  addAwsOptions(command, 'to read without --input (default: AWS_REGION, AWS_DEFAULT_REGION or the profile\'s region)')
    .addHelpText(
      'after',
      `${ENVIRONMENT_HELP}` +
        exitCodesHelp('0 planned (blocked clusters included)', '1 also when a cluster or an account could not be read (its error row says why; the others are planned)') +
        '\nExamples:\n' +
        '  cni-fleet plan --fleet examples/fleet.json\n' +
        '  cni-fleet plan --fleet examples/fleet.json --target latest --output json --query "clusters[?blocked].name"\n' +
        '  cni-fleet plan --input examples/inputs/fleet-tag-selector.json --profile prod\n' +
        '  cni-fleet plan --region eu-west-1 --profile prod --target v1.19.0-eksbuild.1',
    )
    .action(async (options: PlanOptions) => {
      const { runPlan } = await import('../actions/plan.js');
      io.exit(await runPlan(options, io));
    });
}
