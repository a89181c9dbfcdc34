import { afterAll, beforeAll, beforeEach, describe } from 'vitest';
import { createProgressStore, type ProgressStore } from '../../lib/store/progress-store.js';
import { dynamoTargets, type TestDynamo } from './start-dynamo.js';

export interface StoreOnTargetsOptions {
  /** The store's clock; default the real one. */
  readonly now?: () => Date;
  /** Called with every test's fresh store before the test: what each test starts from. */
  readonly beforeEach: (store: ProgressStore) => void | Promise<void>;
}

/**
 * Declares the tests of `body` once per DynamoDB target (`<title> on dynalite`, `… on moto_server`, the latter skipped
 * where moto_server is not installed), each with its server for the whole block and a fresh table and ProgressStore
 * for every test, handed to `options.beforeEach`.
 *
 * @example
 * let store: ProgressStore;
 * describeStoreOnTargets('cluster lock', { now: () => T0, beforeEach: (s) => { store = s; } }, () => {
 *   it('…', async () => { await store.acquireLock(…); });
 * });
 */
export function describeStoreOnTargets(title: string, options: StoreOnTargetsOptions, body: () => void): void {
  for (const target of dynamoTargets) {
    describe.skipIf(!target.available)(`${title} on ${target.name}`, () => {
      let dynamo: TestDynamo;

      beforeAll(async () => {
        dynamo = await target.start();
      });
      afterAll(async () => {
        await dynamo?.close();
      });
      beforeEach(async () => {
        await options.beforeEach(createProgressStore({ doc: dynamo.doc, tableName: await dynamo.newTable(), ...(options.now ? { now: options.now } : {}) }));
      });

      body();
    });
  }
}
