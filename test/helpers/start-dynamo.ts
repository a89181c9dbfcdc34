import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynamo } from '../../lib/local/dynamo-server.js';
import { ensureTable } from '../../lib/store/create-table.js';

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

/** The path of `moto_server` when it is on PATH (the machine image ships it; npm cannot install it). */
export const motoServerPath: string | undefined = findOnPath('moto_server');

/**
 * Starts moto_server, a more faithful DynamoDB, as a child process on a free port and creates a
 * progress table. The process is killed by `close()`.
 */
export async function startMotoDynamo(): Promise<TestDynamo> {
  if (motoServerPath === undefined) throw new Error('moto_server is not on PATH');
  // Port 0: the server picks a free port and prints it ("Running on http://127.0.0.1:PORT").
  const child = spawn(motoServerPath, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${String(code)}:\n${output}`));
    });
  });
  // Keep draining: moto logs every request, and a full pipe would stall it.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  return connect(`http://127.0.0.1:${port}`, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
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

function findOnPath(command: string): string | undefined {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}
