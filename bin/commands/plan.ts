import { readFile } from 'node:fs/promises';
import { EKSClient } from '@aws-sdk/client-eks';
import type { Command } from 'commander';
import { InputValidationError } from '../../lib/errors.js';
import { isInputError, processIo, type CommandIo } from './cli-helpers.js';
import { resolveOutputFormat } from '../../lib/operator/aws-cli-options.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import type { BuildsFor, ClusterFacts, SchemaFor } from '../../lib/plan/cluster-facts.js';
import { translateSelfManaged } from '../../lib/migration/translate-settings.js';
import type { JsonObject } from '../../lib/store/json-value.js';
import { newCatalogueCache } from '../../lib/steps/step-deps.js';
import { configurationSchema } from '../../lib/steps/eks-catalogue.js';
import { configurationSchemaFor } from '../../sim/configuration-schemas.js';
import { fleetClusterManifests } from '../../sim/kubernetes/aws-node-manifest.js';
import { clusterFactsFromFleet } from '../../lib/plan/fleet-file-facts.js';
import { planFleet } from '../../lib/plan/plan-fleet.js';
import type { SkippedCluster } from '../../lib/plan/read-aws-fleet.js';
import { awsBuildsFor, readAwsFleet } from '../../lib/plan/read-aws-fleet.js';
import { renderPlanTable } from '../../lib/plan/render-plan-table.js';
import { parseTargetSpec } from '../../lib/versions/resolve-target.js';
import { loadCatalogue } from '../../sim/catalogue/catalogue.js';

interface PlanOptions {
  fleet?: string;
  target: string;
  allowDowngrade?: boolean;
  json?: boolean;
  output?: string;
  region?: string;
  profile?: string;
}

interface Source {
  readonly source: 'fleet-file' | 'aws';
  readonly clusters: readonly ClusterFacts[];
  readonly skipped: readonly SkippedCluster[];
  readonly buildsFor: BuildsFor;
  /** Configuration schemas: a self-managed cluster's carried settings are checked against its path. */
  readonly schemaFor?: SchemaFor;
  readonly close: () => void;
}

export type { CommandIo };

/** Exit codes: 0 planned (blocked clusters included), 1 AWS or other failure, 2 bad input. */
const EXIT_FAILURE = 1;
const EXIT_BAD_INPUT = 2;

/**
 * Registers `cni-fleet plan`: the minor-by-minor vpc-cni plan of every cluster, from a fleet file or read-only
 * from AWS. Changes nothing anywhere.
 *
 * @example
 * registerPlan(new Command('cni-fleet')); // cni-fleet plan --fleet examples/fleet.json --json
 */
export function registerPlan(program: Command, io: CommandIo = processIo): void {
  program
    .command('plan')
    .summary('show each cluster\'s minor-by-minor vpc-cni upgrade path (read-only)')
    .description(
      'Plan the vpc-cni add-on upgrade of every cluster, one minor version per hop, without changing anything. ' +
        'Clusters come from a fleet file (--fleet; planned against the simulator catalogue) or, without --fleet, ' +
        'from the EKS API, read-only: ListClusters, DescribeCluster, DescribeAddon, DescribeAddonVersions.',
    )
    .option('--fleet <file>', 'plan the clusters of this fleet file (JSON) instead of reading AWS')
    .option(
      '--target <target>',
      '"default" (the build EKS flags default for each cluster\'s Kubernetes version), "latest" (the newest offered build), or an exact build vX.Y.Z-eksbuild.N',
      'default',
    )
    .option('--allow-downgrade', 'plan a step down, still one minor at a time, when an exact --target is older than the installed version')
    .option('--json', 'print the plan as JSON on stdout instead of a table: {"clusters":[{"name","region","kubernetesVersion","from","target","hops","blocked",…}]}')
    .option('--output <format>', 'json or table, as in the AWS CLI (default: AWS_DEFAULT_OUTPUT when it is json or table, else table); --json is --output json')
    .option('--region <region>', 'AWS Region to read when not using --fleet (default: AWS_REGION or the profile\'s region)')
    .option('--profile <profile>', 'shared-config profile for credentials and Region when not using --fleet (default: AWS_PROFILE, then the default chain)')
    .addHelpText(
      'after',
      '\nEnvironment:\n' +
        '  AWS_ENDPOINT_URL_EKS  send EKS calls to this endpoint (e.g. the local simulator), honoured by the AWS SDK\n' +
        '\nExit codes: 0 planned (even if some clusters are blocked), 1 AWS or other failure, 2 bad input.\n' +
        '\nExamples:\n' +
        '  cni-fleet plan --fleet examples/fleet.json\n' +
        '  cni-fleet plan --fleet examples/fleet.json --target latest --json\n' +
        '  cni-fleet plan --region eu-west-1 --profile prod --target v1.19.0-eksbuild.1',
    )
    .action(async (options: PlanOptions) => {
      io.exit(await runPlan(options, io));
    });
}

async function runPlan(options: PlanOptions, io: CommandIo): Promise<number> {
  let source: Source | undefined;
  try {
    const json = resolveOutputFormat(options, process.env) === 'json';
    const target = parseTargetSpec(options.target, '--target');
    source = options.fleet === undefined ? await awsSource(options) : await fleetFileSource(options.fleet, options);
    const plan = await planFleet(source.clusters, { target, allowDowngrade: options.allowDowngrade ?? false, buildsFor: source.buildsFor, ...(source.schemaFor ? { schemaFor: source.schemaFor } : {}) });
    if (json) {
      const requested = { target: options.target, allowDowngrade: options.allowDowngrade ?? false };
      io.out(`${JSON.stringify({ source: source.source, requested, clusters: plan.clusters, skipped: source.skipped }, null, 2)}\n`);
    } else {
      io.out(renderPlanTable(plan));
      for (const s of source.skipped) io.out(`skipped ${s.name} (${s.region}): ${s.reason}\n`);
    }
    return 0;
  } catch (error) {
    const badInput = isInputError(error);
    const message = error instanceof Error ? error.message : String(error);
    io.err(`cni-fleet plan: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return badInput ? EXIT_BAD_INPUT : EXIT_FAILURE;
  } finally {
    source?.close();
  }
}

async function fleetFileSource(file: string, options: PlanOptions): Promise<Source> {
  // A fleet file is planned against the simulator catalogue; AWS options would silently do nothing.
  for (const [flag, value] of [['--region', options.region], ['--profile', options.profile]] as const)
    if (value !== undefined) throw new InputValidationError(flag, 'reads AWS, so it cannot be combined with --fleet');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new InputValidationError('--fleet', `cannot read "${file}": ${(error as Error).message}`, { cause: error });
  }
  let facts: ClusterFacts[];
  try {
    const fleet = parseFleetFile(text);
    // A self-managed cluster's settings come from the DaemonSet the simulator would serve for it, translated by the
    // same code as in a run (issue #6).
    facts = clusterFactsFromFleet(fleet).map((f, i) => {
      const manifests = fleetClusterManifests(fleet.clusters[i]!);
      if (!manifests || !f.selfManagedVersion) return f;
      const [daemonSet, serviceAccount] = [manifests.daemonSet, manifests.serviceAccount].map((m) => JSON.parse(JSON.stringify(m)) as JsonObject);
      return { ...f, selfManagedSettings: translateSelfManaged(daemonSet!, serviceAccount, { clusterName: f.name, version: f.selfManagedVersion }) };
    });
  } catch (error) {
    if (error instanceof InputValidationError) throw new InputValidationError(error.field, `${error.problem} (fleet file ${file})`, { cause: error });
    throw error;
  }
  const catalogue = loadCatalogue();
  return {
    source: 'fleet-file',
    clusters: facts,
    skipped: [],
    buildsFor: async (k8s) => catalogue.compatibleBuilds(k8s),
    schemaFor: async (version) => configurationSchemaFor(version),
    close: () => {},
  };
}

async function awsSource(options: PlanOptions): Promise<Source> {
  // Credentials, Region and AWS_ENDPOINT_URL_EKS resolve through the SDK's own chain; `profile` is a client option.
  const eks = new EKSClient({ ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) });
  try {
    await eks.config.region().catch((error: unknown) => {
      throw new InputValidationError('--region', 'no AWS Region is configured: pass --region, or set AWS_REGION or a region in the profile', { cause: error });
    });
    const fleet = await readAwsFleet(eks);
    const schemas = newCatalogueCache();
    return {
      source: 'aws',
      clusters: fleet.clusters,
      skipped: fleet.skipped,
      buildsFor: awsBuildsFor(eks),
      schemaFor: (version) => configurationSchema(eks, schemas, version),
      close: () => eks.destroy(),
    };
  } catch (error) {
    eks.destroy();
    throw error;
  }
}
