import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createProgressStore, type ProgressStore } from '../store/progress-store.js';
import { requireRegion, sdkClientConfig, type AwsCliOptions } from './aws-cli-options.js';

/** An open progress table: the deployed one, or a rehearsal's local copy (bin/actions/local-progress.ts). */
export interface ProgressSource {
  readonly store: ProgressStore;
  readonly tableName: string;
  /** For people: `table cni-fleet-prod-progress` or `local .rehearsal/dynamo`. */
  readonly description: string;
  /** A rehearsal still running on the folder: its Step Functions endpoint (task tokens, StopExecution). */
  readonly running?: { readonly stepFunctions: string; readonly pid: number } | undefined;
  close(): Promise<void>;
}

/**
 * The deployed progress table, through the SDK's chain (`--region`, `--profile`, AWS_ENDPOINT_URL_DYNAMODB).
 *
 * @example
 * const source = await openAwsProgress('cni-fleet-prod-progress', { region: 'eu-west-1' });
 * await source.store.clusterHistory('payments-prod');
 * await source.close();
 */
export async function openAwsProgress(tableName: string, aws: AwsCliOptions): Promise<ProgressSource> {
  const client = new DynamoDBClient(sdkClientConfig(aws));
  try {
    await requireRegion(() => client.config.region());
  } catch (error) {
    client.destroy();
    throw error;
  }
  const doc = DynamoDBDocumentClient.from(client);
  return {
    store: createProgressStore({ doc, tableName }),
    tableName,
    description: `table ${tableName}`,
    close: async () => client.destroy(),
  };
}
