import { EKSClient } from '@aws-sdk/client-eks';
import { createCliEksFactory } from '../../lib/aws/clients.js';
import { InputValidationError } from '../../lib/errors.js';
import { formatResult } from '../../lib/cli/output.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import type { BuildsFor, ClusterFacts, SchemaFor, SkippedCluster, UnreadableCluster } from '../../lib/plan/cluster-facts.js';
import { translateSelfManaged } from '../../lib/migration/translate-settings.js';
import type { JsonObject } from '../../lib/json.js';
import { configurationSchema, newCatalogueCache } from '../../lib/addon/eks-catalogue.js';
import { addonSpec, type AddonSpec } from '../../lib/addon-spec.js';
import { clusterFactsFromFleet } from '../../lib/plan/fleet-file-facts.js';
import { planFleet } from '../../lib/plan/plan-fleet.js';
import { awsBuildsFor, readAwsFleet, type PlanScope } from '../../lib/operator/read-aws-fleet.js';
import { renderPlanTable } from '../../lib/plan/render-plan-table.js';
import { checkExecutionInput } from '../../lib/operator/execution-input-file.js';
import { requireRegion, sdkClientConfig } from '../../lib/operator/aws-cli-options.js';
import { ClusterExecutionInput, FleetExecutionInput } from '../../lib/schemas/execution-input.js';
import { parseTargetSpec } from '../../lib/versions/resolve-target.js';
import { compareVersions, minorLine } from '../../lib/versions/compare-versions.js';
import { loadOfflineCatalogue, type VersionRules } from '../../lib/addon/offline-catalogue/catalogue.js';
import { offlineConfigurationSchemas } from '../../lib/addon/offline-catalogue/configuration-schemas.js';
import { fleetClusterManifests, type ManifestRules } from '../../lib/kubernetes/aws-node-manifest.js';
import { AWS_NODE_ENV, INIT_ENV, manifestEnv } from '../../lib/migration/aws-node-defaults.js';
import { ExitCode, type CommandIo, type AwsCommandOptions } from '../commands/cli-helpers.js';
import { awsOptions, commandOutput, readOptionFile, runCommand } from './common.js';

/** The options of `cni-fleet plan` as commander parses them (bin/commands/plan.ts declares them). */
export interface PlanOptions extends AwsCommandOptions {
  fleet?: string;
  input?: string;
  target?: string;
  allowDowngrade?: boolean;
}

interface Source {
  readonly source: 'fleet-file' | 'aws';
  readonly clusters: readonly ClusterFacts[];
  readonly skipped: readonly SkippedCluster[];
  readonly unreadable: readonly UnreadableCluster[];
  /** The add-on planned: the execution input's `addon`, or its default. */
  readonly addon: AddonSpec;
  readonly buildsFor: BuildsFor;
  /** Configuration schemas: a self-managed cluster's carried settings are checked against its path. */
  readonly schemaFor?: SchemaFor;
  /** The input's options (target, allowDowngrade, acceptUntranslatable) and skip tag, when an execution input was given. */
  readonly requested?: { readonly target?: string; readonly allowDowngrade?: boolean; readonly acceptUntranslatable?: boolean; readonly skipTag?: string; readonly windows?: { readonly tag?: string } };
  readonly close: () => void;
}

/** `cni-fleet plan`: exit 0 planned, 1 a failure or an unreadable cluster, 2 bad input. */
export async function runPlan(options: PlanOptions, io: CommandIo): Promise<number> {
  let source: Source | undefined;
  return runCommand(io, 'plan', options, async () => {
    try {
      const output = await commandOutput(options, io);
      if (options.fleet !== undefined && options.input !== undefined) throw new InputValidationError('--input', 'plans clusters read from AWS, so it cannot be combined with --fleet');
      if (options.target !== undefined) parseTargetSpec(options.target, '--target');
      source = options.fleet !== undefined ? await fleetFileSource(options.fleet, options) : await awsSource(options);
      // Nothing could be listed anywhere (no credentials, no access): one line, not a table of errors.
      if (source.clusters.length === 0 && source.skipped.length === 0 && source.unreadable.length > 0 && source.unreadable.every((u) => u.name === null)) {
        const first = source.unreadable[0]!;
        throw new Error(`${first.operation} failed in ${source.unreadable.length === 1 ? first.region : `every Region and account (${source.unreadable.length})`}: ${first.error.name}: ${first.error.message}`);
      }
      const target = options.target ?? source.requested?.target ?? 'default';
      const allowDowngrade = options.allowDowngrade ?? source.requested?.allowDowngrade ?? false;
      const plan = await planFleet(source.clusters, {
        target: parseTargetSpec(target, '--target'),
        allowDowngrade,
        buildsFor: source.buildsFor,
        policy: source.addon.versionPolicy,
        ...(source.schemaFor ? { schemaFor: source.schemaFor } : {}),
        // The input's own rules, as the run would apply them.
        ...(source.requested?.skipTag ? { skipTag: source.requested.skipTag } : {}),
        ...(source.requested?.acceptUntranslatable ? { acceptUntranslatable: true } : {}),
        ...(source.requested?.windows?.tag ? { windowTag: source.requested.windows.tag } : {}),
      });
      const document = { source: source.source, requested: { target, allowDowngrade }, clusters: plan.clusters, skipped: source.skipped, unreadable: source.unreadable };
      const { skipped, unreadable } = source;
      io.out(formatResult(document, output, () => renderPlanTable(plan, { color: output.color, skipped, unreadable })));
      return unreadable.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
    } finally {
      source?.close();
    }
  });
}

// A fleet file is planned against the offline catalogue (the one the simulator serves), ordered by the product's rules.
const PRODUCT_VERSION_RULES: VersionRules = { compare: compareVersions, minorLine };

// A self-managed cluster's aws-node is rendered from the product's own table of what the stock manifest sets.
const PRODUCT_MANIFEST_RULES: ManifestRules = {
  compare: compareVersions,
  stockAwsNodeEnv: (version) => manifestEnv(AWS_NODE_ENV, version),
  stockInitEnv: (version) => manifestEnv(INIT_ENV, version),
};

async function fleetFileSource(file: string, options: PlanOptions): Promise<Source> {
  // A fleet file is planned against the offline catalogue; AWS options would silently do nothing.
  for (const [flag, value] of [['--region', options.region], ['--profile', options.profile], ['--endpoint-url', options.endpointUrl]] as const)
    if (value !== undefined) throw new InputValidationError(flag, 'reads AWS, so it cannot be combined with --fleet');
  const text = await readOptionFile(file, '--fleet');
  let facts: ClusterFacts[];
  try {
    const fleet = parseFleetFile(text);
    // A self-managed cluster's settings come from the DaemonSet its fleet entry describes (the one the simulator
    // would serve for it), translated by the same code as in a run.
    facts = clusterFactsFromFleet(fleet).map((f, i) => {
      const manifests = fleetClusterManifests(PRODUCT_MANIFEST_RULES, fleet.clusters[i]!);
      if (!manifests || !f.selfManagedVersion) return f;
      const [daemonSet, serviceAccount] = [manifests.daemonSet, manifests.serviceAccount].map((m) => JSON.parse(JSON.stringify(m)) as JsonObject);
      return { ...f, selfManagedSettings: translateSelfManaged(daemonSet!, serviceAccount, { clusterName: f.name, version: f.selfManagedVersion }) };
    });
  } catch (error) {
    if (error instanceof InputValidationError) throw new InputValidationError(error.field, `${error.problem} (fleet file ${file})`, { cause: error });
    throw error;
  }
  const catalogue = loadOfflineCatalogue(PRODUCT_VERSION_RULES);
  const configurationSchemaFor = offlineConfigurationSchemas(PRODUCT_VERSION_RULES);
  return {
    source: 'fleet-file',
    clusters: facts,
    skipped: [],
    unreadable: [],
    // The simulator's fleet file and offline catalogue describe vpc-cni clusters: the add-on's default.
    addon: addonSpec(),
    buildsFor: async (k8s) => catalogue.compatibleBuilds(k8s),
    schemaFor: async (version) => configurationSchemaFor(version),
    close: () => {},
  };
}

/** The clusters an execution input names (validated as `start` validates it), as a scope to read. */
async function inputScope(file: string): Promise<{ scope: PlanScope; requested: NonNullable<Source['requested']> }> {
  const checked = checkExecutionInput(await readOptionFile(file, '--input'), file);
  if (checked.machine === 'cluster') {
    const input = ClusterExecutionInput.parse(checked.input);
    return { scope: { clusters: [input.cluster], addon: input.addon }, requested: input.options };
  }
  const input = FleetExecutionInput.parse(checked.input);
  return { scope: { clusters: input.clusters, selector: input.selector, addon: input.addon }, requested: { ...input.options, skipTag: input.skipTag } };
}

async function awsSource(options: PlanOptions): Promise<Source> {
  const aws = sdkClientConfig(awsOptions(options));
  const fromInput = options.input === undefined ? undefined : await inputScope(options.input);
  // The Region to list without an input, and the one whose DescribeAddonVersions serves the catalogue.
  const probe = new EKSClient(aws);
  let home: string;
  try {
    home = fromInput?.scope.clusters?.[0]?.region ?? fromInput?.scope.selector?.regions[0] ?? (await requireRegion(() => probe.config.region()));
  } finally {
    probe.destroy();
  }
  const eksFor = createCliEksFactory(aws);
  try {
    const scope: PlanScope = fromInput?.scope ?? { selector: { regions: [home] } };
    const fleet = await readAwsFleet(eksFor, scope);
    const schemas = newCatalogueCache();
    const addon = addonSpec(scope.addon);
    return {
      source: 'aws',
      clusters: fleet.clusters,
      skipped: fleet.skipped,
      unreadable: fleet.unreadable,
      addon,
      buildsFor: awsBuildsFor(eksFor, home, addon.name),
      schemaFor: (version) => configurationSchema(eksFor({ region: home }), schemas, version, addon.name),
      ...(fromInput ? { requested: fromInput.requested } : {}),
      close: () => eksFor.destroy(),
    };
  } catch (error) {
    eksFor.destroy();
    throw error;
  }
}
