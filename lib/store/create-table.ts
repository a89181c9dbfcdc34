import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, type KeySchemaElement, type TableDescription } from '@aws-sdk/client-dynamodb';
import { ProgressTableMismatchError, ProgressTableNotActiveError } from '../errors.js';
import { awsErrorName } from './dynamo-helpers.js';
import { progressTableDefinition } from './table-definition.js';

/** How long to wait for the table to become ACTIVE. */
export interface EnsureTableOptions {
  /** Pause between DescribeTable calls; 1000 ms by default (a real table takes seconds, dynalite none). */
  readonly pollIntervalMs?: number;
  /** DescribeTable calls before giving up; 300 by default. */
  readonly maxPolls?: number;
}

/**
 * Creates the progress table (docs/progress-table.md) unless it exists, then waits until the table and
 * its indexes are ACTIVE. An existing table must have the same keys and indexes: an old local LevelDB
 * folder with another design fails here rather than on the first query.
 *
 * @returns whether this call created the table
 * @throws ProgressTableMismatchError when an existing table has other keys or indexes
 * @throws ProgressTableNotActiveError when it is not ACTIVE after `maxPolls` DescribeTable calls
 * @example
 * const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
 * await ensureTable(client, 'cni-fleet-progress'); // { created: true }
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, options: EnsureTableOptions = {}): Promise<{ created: boolean }> {
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const maxPolls = options.maxPolls ?? 300;
  let created = false;
  if ((await describe(client, tableName)) === undefined) {
    try {
      await client.send(new CreateTableCommand(progressTableDefinition(tableName)));
      created = true;
    } catch (error) {
      // Another process created it between our DescribeTable and CreateTable.
      if (awsErrorName(error) !== 'ResourceInUseException') throw error;
    }
  }
  for (let poll = 1; ; poll += 1) {
    const table = await describe(client, tableName);
    if (table !== undefined && isActive(table)) {
      checkDesign(tableName, table);
      return { created };
    }
    if (poll >= maxPolls) throw new ProgressTableNotActiveError(tableName, poll);
    await sleep(pollIntervalMs);
  }
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

function isActive(table: TableDescription): boolean {
  return table.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE');
}

function checkDesign(tableName: string, table: TableDescription): void {
  const wanted = progressTableDefinition(tableName);
  if (keyText(table.KeySchema) !== keyText(wanted.KeySchema)) {
    throw new ProgressTableMismatchError(tableName, `key schema is ${keyText(table.KeySchema)}, expected ${keyText(wanted.KeySchema)}`);
  }
  for (const index of wanted.GlobalSecondaryIndexes ?? []) {
    const actual = (table.GlobalSecondaryIndexes ?? []).find((candidate) => candidate.IndexName === index.IndexName);
    if (actual === undefined) throw new ProgressTableMismatchError(tableName, `index ${String(index.IndexName)} is missing`);
    if (keyText(actual.KeySchema) !== keyText(index.KeySchema)) {
      throw new ProgressTableMismatchError(tableName, `index ${String(index.IndexName)} has keys ${keyText(actual.KeySchema)}, expected ${keyText(index.KeySchema)}`);
    }
    if (actual.Projection?.ProjectionType !== 'ALL') {
      throw new ProgressTableMismatchError(tableName, `index ${String(index.IndexName)} projects ${String(actual.Projection?.ProjectionType)}, expected ALL`);
    }
  }
}

function keyText(schema: readonly KeySchemaElement[] | undefined): string {
  return (schema ?? []).map((element) => `${String(element.AttributeName)} ${String(element.KeyType)}`).join(', ');
}
