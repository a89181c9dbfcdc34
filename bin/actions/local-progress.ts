import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assertDataDirFree } from '../../rehearsal/data-dir-owner.js';
import { startDynamo } from '../../rehearsal/dynamo-server.js';
import { LOCAL_TABLE } from '../../rehearsal/local-table.js';
import { LocalProgressNotFoundError } from '../../lib/operator/operator-errors.js';
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
 * @throws DataDirInUseError when a running rehearsal holds the folder
 * @example
 * const source = await openLocalProgress('.rehearsal/dynamo');
 * await source.store.clusterHistory('payments-prod');
 * await source.close();
 */
export async function openLocalProgress(dataDir: string = LOCAL_DATA_DIR): Promise<ProgressSource> {
  // LevelDB writes CURRENT on creation; without it, dynalite would create an empty store in a mistyped path.
  if (!existsSync(join(dataDir, 'CURRENT'))) throw new LocalProgressNotFoundError(dataDir);
  // LevelDB serves one process per folder: a rehearsal still writing it is named, instead of failing inside dynalite.
  await assertDataDirFree(dataDir);
  const dynamo = await startDynamo({ path: dataDir });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const close = async (): Promise<void> => {
    client.destroy();
    await dynamo.close();
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
    description: `local ${dataDir}`,
    close,
  };
}
