import type { FleetFile } from '../fleet/fleet-file.js';
import type { ClusterFacts } from './cluster-facts.js';

/**
 * The facts of every cluster in a parsed fleet file, in file order.
 *
 * @example
 * clusterFactsFromFleet(parseFleetFile(text))[0] // { name: 'prod-1', region: 'us-east-1', kubernetesVersion: '1.29', addonVersion: 'v1.15.1-eksbuild.1', … }
 */
export function clusterFactsFromFleet(fleet: FleetFile): ClusterFacts[] {
  return fleet.clusters.map((c) => ({
    name: c.name,
    region: c.region,
    accountId: c.accountId,
    kubernetesVersion: c.kubernetesVersion,
    status: c.status,
    tags: c.tags,
    autoMode: c.compute === 'auto',
    fargateOnly: c.compute === 'fargate',
    ...(c.addon ? { addonVersion: c.addon.version, addonStatus: c.addon.status ?? 'ACTIVE', configurationValues: c.addon.configurationValues ?? null } : {}),
    ...(c.selfManaged ? { selfManagedVersion: c.selfManaged.version } : {}),
  }));
}
