import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DataDirInUseError, runningOwner } from '../../rehearsal/data-dir-owner.js';
import { startDynamo } from '../../rehearsal/dynamo-server.js';
import { LOCAL_TABLE } from '../../rehearsal/local-table.js';
import { LocalProgressNotFoundError, NoRunningRehearsalError } from '../../lib/operator/operator-errors.js';
import type { ProgressSource } from '../../lib/operator/progress-source.js';
import { awsErrorName } from '../../lib/store/dynamo-helpers.js';
import { createProgressStore } from '../../lib/store/progress-store.js';
import { LOCAL_DATA_DIR } from '../commands/cli-helpers.js';

// The rehearsal's dynalite ignores credentials and Region; the SDK still wants both to sign.
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * A rehearsal's progress log: starts dynalite over its LevelDB folder on a free port, read-only in effect (the
 * CLI only reads). The folder must hold the rehearsal's table; nothing is created in an empty folder.
 *
 * @throws LocalProgressNotFoundError when the folder or its table does not exist
 * @throws DataDirInUseError when a process that advertises no endpoints holds the folder (a running rehearsal is
 *   read through the DynamoDB endpoint it advertises)
 * @example
 * const source = await openLocalProgress('.rehearsal/dynamo');
 * await source.store.clusterHistory('payments-prod');
 * await source.close();
 */
export async function openLocalProgress(dataDir: string = LOCAL_DATA_DIR): Promise<ProgressSource> {
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
export async function openRunningRehearsal(dataDir: string = LOCAL_DATA_DIR): Promise<ProgressSource & { readonly running: NonNullable<ProgressSource['running']> }> {
  const source = await openLocalProgress(dataDir);
  const running = source.running;
  if (!running) {
    await source.close();
    throw new NoRunningRehearsalError(dataDir);
  }
  return { ...source, running };
}
