import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The options of dynalite's factory that we use (dynalite ships no type declarations). */
interface DynaliteOptions {
  readonly path?: string;
  readonly createTableMs: number;
  readonly deleteTableMs: number;
  readonly updateTableMs: number;
}

type DynaliteFactory = (options: DynaliteOptions) => Server;

// dynalite is CommonJS without types; createRequire keeps the import typed through DynaliteFactory.
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

/** Where to keep the data and which port to take. */
export interface StartDynamoOptions {
  /** A LevelDB folder, so the progress log survives restarts; in memory when absent. */
  readonly path?: string;
  /** The port on 127.0.0.1; 0 (the default) takes a free one. */
  readonly port?: number;
}

/** A running local DynamoDB. */
export interface LocalDynamo {
  /** `http://127.0.0.1:PORT`, for `new DynamoDBClient({ endpoint })`. */
  readonly endpoint: string;
  /** Requests served so far, by DynamoDB operation (the `X-Amz-Target` header), for the benchmark. */
  readonly requests: Readonly<Record<string, number>>;
  /** Stops the server and closes the LevelDB store. */
  close(): Promise<void>;
}

/**
 * Starts dynalite, a DynamoDB-compatible server in Node, on 127.0.0.1. Tables become ACTIVE at once
 * (`createTableMs: 0`): dynalite's default keeps them CREATING for 500 ms, which only slows local runs.
 * dynalite has no TransactWriteItems and no UpdateTimeToLive (docs/toolchain.md#dynalite), so the
 * progress store uses neither.
 *
 * @example
 * const dynamo = await startDynamo({ path: '.rehearsal/dynamo' });
 * const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
 * // …
 * await dynamo.close();
 */
export async function startDynamo(options: StartDynamoOptions = {}): Promise<LocalDynamo> {
  const server = dynalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const requests: Record<string, number> = {};
  server.on('request', (request: { headers: Record<string, string | string[] | undefined> }) => {
    const operation = String(request.headers['x-amz-target'] ?? 'unknown').split('.').pop() ?? 'unknown';
    requests[operation] = (requests[operation] ?? 0) + 1;
  });
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // A client's keep-alive socket would hold close() open until it times out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
