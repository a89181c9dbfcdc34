import fc from 'fast-check';
import type { z } from 'zod';
import type { FleetFile } from '../../lib/fleet/fleet-file.js';
import type { UpgradeOptionsInput } from '../../lib/schemas/upgrade-options.js';
import { minorIndex } from '../../lib/versions/compare-versions.js';
import { loadCatalogue } from '../../sim/catalogue/catalogue.js';

export const catalogue = loadCatalogue();

export const ROLE = 'arn:aws:iam::111122223333:role/AmazonEKSVPCCNIRole';
const POD_IDENTITY_ROLE = 'arn:aws:iam::111122223333:role/cni-pod-identity';

// How far below its Kubernetes version's default a random cluster may start: every hop is a real update through
// the workflow, so long paths cost run time without exercising anything new.
const MINORS_BELOW_DEFAULT = 3;

/** Kubernetes minors whose default build has at least a few minors below it in the catalogue. */
export const KUBERNETES_VERSIONS = catalogue.kubernetesVersions.filter((k) => k >= '1.23' && catalogue.compatibleBuilds(k).length > 0);

/** The builds a random cluster on `kubernetesVersion` may run: offered to it, at most a few minors below its default. */
export function startingBuilds(kubernetesVersion: string): string[] {
  const builds = catalogue.compatibleBuilds(kubernetesVersion);
  const defaultBuild = builds.find((b) => b.isDefault) ?? builds[0];
  if (!defaultBuild) return [];
  return builds.filter((b) => minorIndex(b.version) >= minorIndex(defaultBuild.version) - MINORS_BELOW_DEFAULT).map((b) => b.version);
}

/**
 * Configurations a cluster may carry: none, JSON, YAML, "{}", and a key that builds before v1.14 reject
 * (docs/vpc-cni-settings.md#schemas-per-build).
 */
export const CONFIGURATIONS = [
  undefined,
  '{"env":{"AWS_VPC_K8S_CNI_EXTERNALSNAT":"true"}}',
  'env:\n  WARM_IP_TARGET: "5"\n  MINIMUM_IP_TARGET: "10"\n',
  '{}',
  '{"enableNetworkPolicy":"true"}',
] as const;

type FaultInput = NonNullable<z.input<typeof FleetFile>['clusters'][number]['faults']>[number];

const versionGlob = (kubernetesVersion: string): fc.Arbitrary<string | undefined> => {
  const minors = [...new Set(startingBuilds(kubernetesVersion).map((v) => v.split('.').slice(0, 2).join('.')))];
  return fc.option(fc.constantFrom(...minors).map((line) => `${line}.*`), { nil: undefined });
};

const REQUEST_OPERATIONS = ['DescribeCluster', 'DescribeAddon', 'UpdateAddon', 'DescribeUpdate', 'DescribeAddonVersions'] as const;

/** One fault from every effect the fleet file knows (docs/simulator.md#the-fleet-file), with small counts and durations. */
export const faultArbitrary = (kubernetesVersion: string): fc.Arbitrary<FaultInput> => {
  const toVersion = versionGlob(kubernetesVersion);
  const noUndefined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return fc.oneof(
    fc.record({ effect: fc.constant('UPDATE_FAILED' as const), toVersion }).map(noUndefined),
    fc.record({ effect: fc.constant('DEGRADED' as const), toVersion }).map(noUndefined),
    fc.record({ effect: fc.constant('STUCK' as const), toVersion }).map(noUndefined),
    fc.record({ effect: fc.constant('SLOW' as const), toVersion, durationSeconds: fc.integer({ min: 30, max: 600 }) }).map(noUndefined),
    fc
      .record({ effect: fc.constantFrom('THROTTLE' as const, 'SERVER_ERROR' as const), count: fc.integer({ min: 1, max: 3 }), operation: fc.option(fc.constantFrom(...REQUEST_OPERATIONS), { nil: undefined }) })
      .map(noUndefined),
    fc.record({ effect: fc.constant('CLUSTER_UPDATING' as const), durationSeconds: fc.integer({ min: 30, max: 240 }) }),
    fc.record({ effect: fc.constant('CLUSTER_DELETED' as const), afterUpdates: fc.integer({ min: 0, max: 2 }) }),
    // The Kubernetes side, which EKS does not see (docs/simulator.md): pod faults, a node joining, an API that
    // refuses or does not answer (a few times, or for good).
    fc.record({ effect: fc.constantFrom('POD_NOT_READY' as const, 'NODE_AGENT_CRASH_LOOP' as const, 'IMAGE_PULL_BACKOFF' as const), toVersion, nodeCount: fc.integer({ min: 1, max: 2 }) }).map(noUndefined),
    // A node joins early enough in the hop for its pod to start and soak before the hop's deadline (60 s at least):
    // one that joins at the deadline is still starting there, and the gate fails a hop whose pods are not Ready by
    // its deadline, whatever the reason (docs/rollout-gate.md).
    fc.record({ effect: fc.constant('NODE_JOIN' as const), toVersion, afterSeconds: fc.integer({ min: 0, max: 20 }), nodeCount: fc.integer({ min: 1, max: 2 }) }).map(noUndefined),
    fc
      .record({ effect: fc.constantFrom('KUBERNETES_FORBIDDEN' as const, 'KUBERNETES_UNAUTHORIZED' as const, 'KUBERNETES_UNREACHABLE' as const), count: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) })
      .map(noUndefined),
  );
};

type ClusterInput = z.input<typeof FleetFile>['clusters'][number];

const clusterArbitrary = (index: number): fc.Arbitrary<ClusterInput> =>
  fc.constantFrom(...KUBERNETES_VERSIONS).chain((kubernetesVersion) =>
    fc.record({
      name: fc.constant(`c${index}`),
      region: fc.constantFrom('us-east-1', 'eu-west-1'),
      kubernetesVersion: fc.constant(kubernetesVersion),
      nodes: fc.integer({ min: 0, max: 5 }),
      // Waves by tag, and now and then a cluster opted out (waveTag, skipTag: docs/workflow.md#execution-input).
      tags: fc.record({ 'cni-fleet/wave': fc.constantFrom('canary', '1', '2'), 'cni-fleet/skip': fc.constantFrom('true', 'false', 'false', 'false') }, { requiredKeys: [] }),
      faults: fc.array(faultArbitrary(kubernetesVersion), { maxLength: 2 }),
    }).chain((cluster) =>
      // About 1 in 6 clusters runs a self-managed aws-node DaemonSet, so runs exercise CreateAddon (no
      // mutating call unless the add-on is ACTIVE, or absent for a create).
      fc.oneof({ weight: 5, arbitrary: addonArbitrary(kubernetesVersion) }, { weight: 1, arbitrary: selfManagedArbitrary(kubernetesVersion) }).map((install) => ({ ...cluster, ...install })),
    ),
  );

const addonArbitrary = (kubernetesVersion: string): fc.Arbitrary<Pick<ClusterInput, 'addon'>> =>
  fc.record({
    addon: fc.record({
      version: fc.constantFrom(...startingBuilds(kubernetesVersion)),
      configurationValues: fc.constantFrom(...CONFIGURATIONS),
      serviceAccountRoleArn: fc.option(fc.constant(ROLE), { nil: undefined }),
      podIdentityAssociations: fc.option(fc.constant([{ serviceAccount: 'aws-node', roleArn: POD_IDENTITY_ROLE }]), { nil: undefined }),
    }),
  });

/**
 * Env a self-managed DaemonSet may carry: each differs from the manifest's default, so the migration carries it into
 * configurationValues (lib/migration/aws-node-defaults.ts; docs/vpc-cni-settings.md#aws-node-environment-variables).
 */
export const SELF_MANAGED_ENVS = [undefined, { WARM_IP_TARGET: '3' }, { AWS_VPC_K8S_CNI_EXTERNALSNAT: 'true', MINIMUM_IP_TARGET: '10' }] as const;

/**
 * A self-managed install at the upstream tag of a starting build: its minor line is offered for the cluster's
 * Kubernetes version, so the plan adopts it there with a `create` hop (lib/versions/plan-path.ts, adoptionLine).
 */
export const selfManagedArbitrary = (kubernetesVersion: string): fc.Arbitrary<Pick<ClusterInput, 'selfManaged'>> =>
  fc.record({
    selfManaged: fc.record(
      {
        version: fc.constantFrom(...new Set(startingBuilds(kubernetesVersion).map((v) => v.replace(/-eksbuild\.\d+$/, '')))),
        env: fc.constantFrom(...SELF_MANAGED_ENVS).map((env) => (env ? { ...env } : undefined)),
        serviceAccountRoleArn: fc.constant(ROLE),
      },
      { requiredKeys: ['version'] },
    ),
  });

/**
 * The upgrade options of a random run: a symbolic or exact target, downgrades sometimes allowed, short timeouts, and
 * the rollout gate in each access mode with a soak that fits in the hop timeout (a longer one is an input error).
 */
const optionsArbitrary: fc.Arbitrary<UpgradeOptionsInput> = fc
  .record({
    target: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('default', 'latest') },
      { weight: 1, arbitrary: fc.constantFrom(...KUBERNETES_VERSIONS).chain((k) => fc.constantFrom(...startingBuilds(k))) },
    ),
    allowDowngrade: fc.boolean(),
    pollIntervalSeconds: fc.integer({ min: 10, max: 30 }),
    expectedHopSeconds: fc.integer({ min: 20, max: 60 }),
    // Small, so that STUCK and SLOW hops time out quickly (the schema's minimum is 60).
    hopTimeoutSeconds: fc.integer({ min: 60, max: 240 }),
    perLaneConcurrency: fc.integer({ min: 1, max: 4 }),
    failureThreshold: fc.integer({ min: 0, max: 2 }),
    kubernetesAccess: fc.constantFrom('required' as const, 'best-effort' as const, 'off' as const),
  })
  .chain((options) => fc.integer({ min: 0, max: Math.floor(options.hopTimeoutSeconds / 3) }).map((rolloutSoakSeconds) => ({ ...options, rolloutSoakSeconds })));

export interface RandomRun {
  readonly fleet: z.input<typeof FleetFile>;
  readonly options: UpgradeOptionsInput;
}

/**
 * Request faults (THROTTLE, SERVER_ERROR) that fire on the fleet's discovery: its DescribeCluster of each listed
 * cluster is the first request naming that cluster, and each lane describes its clusters in one invocation.
 */
export const selectClustersFaults = (cluster: ClusterInput): number =>
  (cluster.faults ?? [])
    .filter((f) => (f.effect === 'THROTTLE' || f.effect === 'SERVER_ERROR') && (f.operation === undefined || f.operation === 'DescribeCluster'))
    .reduce((n, f) => n + (f.count ?? 3), 0);

// UpgradeFleet (statemachines/workflows.asl.yaml) retries DiscoverLane 5 times on EksThrottledError/EksUnavailableError, each retry reading
// only the clusters not yet recorded; past that the cluster is recorded FAILED at DiscoverLane
// (test/workflow/fleet-lanes.test.ts). The random fleets stay within the retries so that the properties below
// see every cluster through the cluster workflow.
export const SELECT_CLUSTERS_RETRIES = 5;

/** A random fleet of 1–4 clusters, with faults, and the options to run it with. */
export const runArbitrary: fc.Arbitrary<RandomRun> = fc
  .integer({ min: 1, max: 4 })
  .chain((size) => fc.tuple(...Array.from({ length: size }, (_, i) => clusterArbitrary(i))))
  .filter((clusters) => clusters.every((c) => selectClustersFaults(c) <= SELECT_CLUSTERS_RETRIES))
  .chain((clusters) =>
    fc.record({
      fleet: fc.constant({ settings: { updateSeconds: 30, secondsPerNode: 2 }, clusters }),
      options: optionsArbitrary,
    }),
  );
