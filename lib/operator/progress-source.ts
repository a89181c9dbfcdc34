import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { runningOwner } from '../local/data-dir-owner.js';
import { startDynamo } from '../local/dynamo-server.js';
import { LOCAL_TABLE } from '../local/local-table.js';
import { awsErrorName } from '../store/dynamo-helpers.js';
import { createProgressStore, type ProgressStore } from '../store/progress-store.js';
import { requireRegion, sdkClientConfig, type AwsCliOptions } from './aws-cli-options.js';
import { DataDirInUseError } from '../local/data-dir-owner.js';
import { LocalProgressNotFoundError, NoRunningRehearsalError } from './operator-errors.js';

/** An open progress table: the deployed one, or a rehearsal's local copy. */
export interface ProgressSource {
  readonly store: ProgressStore;
  readonly tableName: string;
  /** For people: `table cni-fleet-prod-progress` or `local .rehearsal/dynamo`. */
  readonly description: string;
  /** A rehearsal still running on the folder: its Step Functions endpoint (task tokens, StopExecution). */
  readonly running?: { readonly stepFunctions: string; readonly pid: number } | undefined;
  close(): Promise<void>;
}

/** Where `npm start` / `cni-fleet rehearse` keep their progress log (bin/commands/rehearse.ts, `--data-dir`). */
export const DEFAULT_LOCAL_DATA_DIR = '.rehearsal/dynamo';

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

// The rehearsal's dynalite ignores credentials and Region; the SDK still wants both to sign.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A rehearsal's progress log: starts dynalite over its LevelDB folder on a free port, read-only in effect (the
 * CLI only reads). The folder must hold the rehearsal's table; nothing is created in an empty folder.
 *
 * @throws LocalProgressNotFoundError when the folder or its table does not exist
 * @throws DataDirInUseError when a running rehearsal holds the folder
 * @example
 * const source = await openLocalProgress('.rehearsal/dynamo');
 * await source.store.clusterHistory('payments-prod');
 * await source.close();
 */
export async function openLocalProgress(dataDir: string = DEFAULT_LOCAL_DATA_DIR): Promise<ProgressSource> {
  // LevelDB writes CURRENT on creation; without it, dynalite would create an empty store in a mistyped path.
  if (!existsSync(join(dataDir, 'CURRENT'))) throw new LocalProgressNotFoundError(dataDir);
  // LevelDB serves one process per folder: a running rehearsal is read through the endpoint it advertises (its own
  // dynalite), one that advertises none is named instead of failing inside dynalite.
  const owner = await runningOwner(dataDir);
  if (owner && !owner.endpoints) throw new DataDirInUseError(dataDir, owner.pid === 0 ? null : owner);
  const dynamo = owner ? undefined : await startDynamo({ path: dataDir });
  const endpoint = owner?.endpoints?.dynamodb ?? dynamo?.endpoint;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const close = async (): Promise<void> => {
    client.destroy();
    await dynamo?.close();
  };
  try {
    await client.send(new DescribeTableCommand({ TableName: LOCAL_TABLE }));
  } catch (error) {
    await close();
    if (awsErrorName(error) === 'ResourceNotFoundException') throw new LocalProgressNotFoundError(dataDir);
    throw error;
  }
  return {
    store: createProgressStore({ doc: DynamoDBDocumentClient.from(client), tableName: LOCAL_TABLE }),
    tableName: LOCAL_TABLE,
    description: owner ? `local ${dataDir} (rehearsal running, process ${owner.pid})` : `local ${dataDir}`,
    running: owner?.endpoints ? { stepFunctions: owner.endpoints.stepFunctions, pid: owner.pid } : undefined,
    close,
  };
}

/**
 * A rehearsal running on `dataDir` (`cni-fleet approve|reject|pause|resume --local`): its progress log and its Step
 * Functions endpoint, reached over the endpoints it advertises in the folder.
 *
 * @throws LocalProgressNotFoundError, NoRunningRehearsalError when no rehearsal runs there (nothing to act on)
 */
export async function openRunningRehearsal(dataDir: string = DEFAULT_LOCAL_DATA_DIR): Promise<ProgressSource & { readonly running: NonNullable<ProgressSource['running']> }> {
  const source = await openLocalProgress(dataDir);
  const running = source.running;
  if (!running) {
    await source.close();
    throw new NoRunningRehearsalError(dataDir);
  }
  return { ...source, running };
}
