import type { EksOperation } from '../../lib/fleet/fleet-file.js';
import { describeAddonConfiguration, describeAddonVersions } from './addon-versions.js';
import { createAddon, deleteAddon, describeAddon, listAddons, updateAddon } from './addons.js';
import { describeCluster, listClusters } from './clusters.js';
import type { OperationHandler } from './context.js';
import { describePodIdentityAssociation } from './pod-identity-associations.js';
import { describeUpdate, listUpdates } from './updates.js';

/** The handler of each of the 12 operations (docs/eks-behaviour.md#operations). */
export const OPERATIONS: Readonly<Record<EksOperation, OperationHandler>> = {
  ListClusters: listClusters,
  DescribeCluster: describeCluster,
  ListAddons: listAddons,
  DescribeAddon: describeAddon,
  CreateAddon: createAddon,
  UpdateAddon: updateAddon,
  DeleteAddon: deleteAddon,
  DescribeUpdate: describeUpdate,
  ListUpdates: listUpdates,
  DescribeAddonVersions: describeAddonVersions,
  DescribeAddonConfiguration: describeAddonConfiguration,
  DescribePodIdentityAssociation: describePodIdentityAssociation,
};

/** Operations that change state (call accounting: SimCall.mutating). */
export const MUTATING: ReadonlySet<EksOperation> = new Set(['CreateAddon', 'UpdateAddon', 'DeleteAddon']);
