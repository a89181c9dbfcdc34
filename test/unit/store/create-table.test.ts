import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProgressTableMismatchError } from '../../../lib/errors.js';
import { ensureTable } from '../../../lib/store/create-table.js';
import { progressTableDefinition } from '../../../lib/store/table-definition.js';
import { dynamoTargets, type TestDynamo } from '../../helpers/start-dynamo.js';

for (const target of dynamoTargets) {
  describe.skipIf(!target.available)(`ensureTable on ${target.name}`, () => {
    let dynamo: TestDynamo;

    beforeAll(async () => {
      dynamo = await target.start();
    });
    afterAll(async () => {
      await dynamo?.close();
    });

    it('creates an on-demand table with both history indexes, then leaves it alone', async () => {
      // Act
      const first = await ensureTable(dynamo.client, 'fresh-progress', { pollIntervalMs: 20 });
      const second = await ensureTable(dynamo.client, 'fresh-progress', { pollIntervalMs: 20 });
      const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: 'fresh-progress' }));

      // Assess
      expect(first).toEqual({ created: true });
      expect(second).toEqual({ created: false });
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema?.map((k) => k.AttributeName), index.Projection?.ProjectionType]).sort()).toEqual([
        ['byCluster', ['gsi1pk', 'gsi1sk'], 'ALL'],
        ['byClusterName', ['gsi2pk', 'gsi1sk'], 'ALL'],
      ]);
    });

    it('refuses a table of the same name with another design', async () => {
      // Prepare
      const { GlobalSecondaryIndexes: _indexes, ...withoutIndexes } = progressTableDefinition('old-progress');
      await dynamo.client.send(new CreateTableCommand({ ...withoutIndexes, AttributeDefinitions: withoutIndexes.AttributeDefinitions?.slice(0, 2) }));

      // Act
      const refusal = await ensureTable(dynamo.client, 'old-progress', { pollIntervalMs: 20 }).catch((error: unknown) => error);

      // Assess
      expect(refusal).toBeInstanceOf(ProgressTableMismatchError);
      expect(refusal).toMatchObject({ name: 'ProgressTableMismatchError', tableName: 'old-progress', problem: 'index byCluster is missing' });
    });
  });
}
