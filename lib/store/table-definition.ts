import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Index names of the progress table; serverless.yml declares the same (docs/progress-table.md). */
export const ProgressIndex = {
  /** gsi1pk `CLUSTER#<clusterKey>` / gsi1sk `<startedAt>#<runId>`: one cluster's runs. */
  BY_CLUSTER: 'byCluster',
  /** gsi2pk `CLUSTERNAME#<clusterName>` / gsi1sk: the runs of every cluster with that name. */
  BY_CLUSTER_NAME: 'byClusterName',
} as const;
export type ProgressIndex = (typeof ProgressIndex)[keyof typeof ProgressIndex];

/** The TTL attribute (epoch seconds). serverless.yml enables TTL on it; dynalite cannot. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The CreateTable request of the progress table: on-demand, `pk`/`sk`, and two GSIs that share the
 * sort key `gsi1sk` so both list runs by start time. serverless.yml must declare the same.
 *
 * @example
 * await client.send(new CreateTableCommand(progressTableDefinition('cni-fleet-progress')));
 */
export function progressTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
      { AttributeName: 'gsi2pk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ProgressIndex.BY_CLUSTER,
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: ProgressIndex.BY_CLUSTER_NAME,
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
