import type { CloudWatchClientFactory, EksClientFactory } from '../aws/clients.js';
import type { Notifier } from '../controls/notifier.js';
import type { ProgressStore } from '../store/progress-store.js';
import type { CatalogueCache } from '../addon/eks-catalogue.js';

/**
 * What every workflow step receives (side effects are ports passed in): clients built in
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
  /** CloudWatch in the deployment's account, by Region: the run's alarms (lib/controls/alarm-state.ts). */
  readonly cloudWatchFor: CloudWatchClientFactory;
  /** The Region the workflow runs in: where a run's alarms are unless it names another. */
  readonly region: string;
  /** Where notices for operators go (an approval waiting): EventBridge in AWS, the terminal in a rehearsal. */
  readonly notifier: Notifier;
  /** The deployed stage, named in notices (`cni-fleet approve … --stage S`); absent in a rehearsal. */
  readonly stage?: string | undefined;
}

