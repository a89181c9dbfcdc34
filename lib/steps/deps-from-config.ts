import type { Config } from '../config.js';
import { createAwsClients } from '../aws/clients.js';
import { eventBridgeNotifier } from '../controls/notifier.js';
import { createProgressStore } from '../store/progress-store.js';
import type { StepDeps } from './step-deps.js';
import { newCatalogueCache } from '../addon/eks-catalogue.js';

/**
 * The StepDeps of a deployed function: clients from the Config, the real clock.
 *
 * @example
 * const deps = depsFromConfig(readConfig(process.env));
 */
export function depsFromConfig(config: Config): StepDeps {
  const { eksFor, doc, cloudWatchFor, eventsClient } = createAwsClients({
    region: config.region,
    eksEndpoint: config.eksEndpoint,
    dynamoEndpoint: config.dynamoEndpoint,
    cloudWatchEndpoint: config.cloudWatchEndpoint,
    eventsEndpoint: config.eventsEndpoint,
  });
  return {
    eksFor,
    store: createProgressStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays }),
    now: () => new Date(),
    accountId: config.accountId,
    accountRoles: config.accountRoles,
    cache: newCatalogueCache(),
    cloudWatchFor,
    region: config.region,
    notifier: eventBridgeNotifier(eventsClient),
    stage: config.stage,
  };
}
