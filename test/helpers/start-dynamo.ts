import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamo } from '../../rehearsal/dynamo-server.js';
import { ensureTable } from '../../lib/store/create-table.js';
import { motoServerPath, startMoto } from './start-moto.js';

/** A local DynamoDB with a fresh progress table. */
export interface TestDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Creates another empty progress table on the same server, for a test that needs its own. */
  newTable(): Promise<string>;
  close(): Promise<void>;
}

/** A server the store tests run against. */
export interface DynamoTarget {
  readonly name: string;
  /** False when the server is not installed here: its tests are skipped. */
  readonly available: boolean;
  start(): Promise<TestDynamo>;
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Starts dynalite in memory on a free port and creates a progress table.
 *
 * @example
 * const dynamo = await startTestDynamo();
 * const store = createProgressStore({ doc: dynamo.doc, tableName: dynamo.tableName });
 * afterAll(() => dynamo.close());
 */
export async function startTestDynamo(): Promise<TestDynamo> {
  const server = await startDynamo({ port: 0 });
  return connect(server.endpoint, () => server.close());
}

export { motoServerPath };

/**
 * Starts moto_server, a more faithful DynamoDB, as a child process on a free port and creates a
 * progress table. The process is killed by `close()`.
 */
export async function startMotoDynamo(): Promise<TestDynamo> {
  const moto = await startMoto();
  return connect(moto.endpoint, () => moto.close());
}

/** dynalite always; moto_server when it is on PATH. */
export const dynamoTargets: readonly DynamoTarget[] = [
  { name: 'dynalite', available: true, start: startTestDynamo },
  { name: 'moto_server', available: motoServerPath !== undefined, start: startMotoDynamo },
];

async function connect(endpoint: string, stop: () => Promise<void>): Promise<TestDynamo> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const doc = DynamoDBDocumentClient.from(client);
  const newTable = async () => {
    const tableName = `progress-${randomUUID()}`;
    await ensureTable(client, tableName, { pollIntervalMs: 20, maxPolls: 500 });
    return tableName;
  };
  const tableName = await newTable();
  return {
    endpoint,
    client,
    doc,
    tableName,
    newTable,
    async close() {
      client.destroy();
      await stop();
    },
  };
}

