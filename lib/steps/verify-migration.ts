import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { credentialsOf, type EksClientFactory } from '../aws/clients.js';
import { translateEksError } from '../aws/eks-errors.js';
import { VerificationFailedError } from '../errors.js';
import { connectCluster } from '../kubernetes/cluster-reader.js';
import type { ClusterState, HopState } from '../workflow/state.js';
import { daemonSetDifferences } from '../migration/verify-daemonset.js';

/**
 * After the `create` hop is ACTIVE: reads the aws-node DaemonSet and ServiceAccount back through the Kubernetes API
 * and checks that every carried setting and the IRSA role survived (the User Guide's "confirm" step: the custom
 * settings must be in place, https://docs.aws.amazon.com/eks/latest/userguide/vpc-add-on-create.html). Runs before the
 * next hop, so a lost setting stops the cluster at the first managed version.
 *
 * @throws VerificationFailedError listing every setting that did not survive
 * @example
 * await verifyMigration({ cluster, plan }, hop, deps.eksFor);
 */
export async function verifyMigration(state: Pick<ClusterState, 'cluster' | 'plan'>, hop: HopState, eksFor: EksClientFactory): Promise<void> {
  const { cluster, plan } = state;
  const migration = plan?.migration;
  if (!migration) return;
  const eks = eksFor(cluster);
  const described = await eks.send(new DescribeClusterCommand({ name: cluster.name })).then(
    (out) => out.cluster,
    (error: unknown) => translateEksError(error, cluster.key),
  );
  const reader = await connectCluster(
    { name: cluster.name, region: cluster.region, key: cluster.key, endpoint: described?.endpoint ?? '', certificateAuthority: described?.certificateAuthority?.data },
    credentialsOf(eks),
  );
  const differences = daemonSetDifferences(await reader.readDaemonSet(), await reader.readServiceAccount(), {
    version: hop.to,
    carried: migration.carried,
    serviceAccountRoleArn: migration.serviceAccountRoleArn,
  });
  if (differences.length > 0) throw new VerificationFailedError(cluster.key, differences.map((d) => `after CreateAddon ${hop.to}: ${d}`));
}
