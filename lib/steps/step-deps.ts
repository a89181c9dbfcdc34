import type { EksClientFactory } from '../aws/clients.js';
import type { ProgressStore } from '../store/progress-store.js';
import type { CatalogueCache } from '../addon/eks-catalogue.js';

/**
 * What every workflow step receives (shared/style.md §3, "side effects are ports passed in"): clients built in
 * one place, the progress store, and the clock. The local runner passes the simulator's virtual clock.
 */
export interface StepDeps {
  readonly eksFor: EksClientFactory;
  readonly store: ProgressStore;
  readonly now: () => Date;
  /** The deployment's own account, for clusters named without accountId or roleArn. */
  readonly accountId: string;
  /** The role to assume in each other account, for clusters named by accountId alone (Config.accountRoles). */
  readonly accountRoles?: Readonly<Record<string, string>> | undefined;
  /** Per-container caches of immutable catalogue data (see catalogue-cache.ts). */
  readonly cache: CatalogueCache;
}

