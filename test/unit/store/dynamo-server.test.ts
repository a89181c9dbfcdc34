import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { startDynamo } from '../../../rehearsal/dynamo-server.js';
import { ensureTable } from '../../../lib/store/create-table.js';
import { createProgressStore } from '../../../lib/store/progress-store.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('startDynamo', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Starts a server and a store on it; both are closed after the test. */
  async function storeOn(path?: string) {
    const dynamo = await startDynamo(path === undefined ? {} : { path });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
    cleanups.push(async () => {
      client.destroy();
      await dynamo.close();
    });
    await ensureTable(client, 'progress', { pollIntervalMs: 20 });
    return { dynamo, store: createProgressStore({ doc: DynamoDBDocumentClient.from(client), tableName: 'progress' }) };
  }

  it('serves DynamoDB on 127.0.0.1 with tables ACTIVE at once', async () => {
    // Act
    const { dynamo, store } = await storeOn();
    const run = await store.putRun({ runId: 'run-1', input: {}, trigger: 'local' });

    // Assess
    expect(dynamo.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await store.getRun('run-1')).toEqual(run);
  });

  it('keeps the progress log across restarts when given a folder', async () => {
    // Prepare
    const folder = await mkdtemp(join(tmpdir(), 'cni-fleet-dynamo-'));
    cleanups.push(() => rm(folder, { recursive: true, force: true }));
    const first = await storeOn(folder);
    const run = await first.store.putRun({ runId: 'run-1', input: { dryRun: true }, trigger: 'local' });
    await first.dynamo.close();

    // Act
    const second = await storeOn(folder);
    const read = await second.store.getRun('run-1');

    // Assess
    expect(read).toEqual(run);
  });

  it('starts empty without a folder', async () => {
    // Prepare
    const first = await storeOn();
    await first.store.putRun({ runId: 'run-1', input: {}, trigger: 'local' });

    // Act
    const second = await storeOn();

    // Assess
    expect(await second.store.getRun('run-1')).toBeNull();
  });

  it('closes more than once without failing', async () => {
    // Prepare
    const dynamo = await startDynamo();

    // Act
    const closing = Promise.all([dynamo.close(), dynamo.close()]);

    // Assess
    await expect(closing).resolves.toEqual([undefined, undefined]);
  });
});
