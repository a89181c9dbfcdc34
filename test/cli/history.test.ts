import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { startDynamo, type LocalDynamo } from '../../rehearsal/dynamo-server.js';
import { LOCAL_TABLE, rehearse } from '../../rehearsal/rehearsal.js';
import { readClusterHistory } from '../../lib/operator/cluster-history.js';
import type { ClusterRunView } from '../../lib/operator/cluster-run-view.js';
import { renderClusterHistory } from '../../lib/operator/render-progress.js';
import { createProgressStore, type ProgressStore } from '../../lib/store/progress-store.js';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// A cluster's history read back from real rehearsals' progress log: through the CLI process from the local
// LevelDB folder (--local) and over HTTP as a deployed table (--table + AWS_ENDPOINT_URL_DYNAMODB).
const fleet = FleetFile.parse({
  settings: { updateSeconds: 30, secondsPerNode: 0 },
  clusters: [
    { name: 'happy', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.19.6-eksbuild.7' } },
    // Its key starts with happy's: a history of "happy" must never pick it up.
    { name: 'happy-2', region: 'us-east-1', kubernetesVersion: '1.29', addon: { version: 'v1.21.1-eksbuild.8' } },
    { name: 'conflict', region: 'eu-west-1', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' }, faults: [{ effect: 'UPDATE_FAILED', toVersion: 'v1.21.*', errorCode: 'ConfigurationConflict' }] },
  ],
});
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

// Rehearsals stamp records with the simulator's virtual clock, which runs ahead of real time by a margin that
// differs per run; so the order is checked against the recorded start times, not the order the runs were made in.
const isNewestFirst = (runs: readonly ClusterRunView[]): boolean => runs.every((r, i) => i === 0 || (runs[i - 1]?.startedAt ?? '') >= (r.startedAt ?? ''));

interface HistoryDoc {
  cluster: string;
  source: string;
  table: string;
  runs: ClusterRunView[];
}

describe('cni-fleet history', () => {
  let dir: string;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-history-'));
    dataDir = join(dir, 'dynamo');
    // Two runs, one after the other, into the same folder, as two `npm start`s would.
    for (const runId of ['h-1', 'h-2']) {
      const report = await rehearse({ fleet, speed: 2000, dataDir, runId, options: { target: 'default', failureThreshold: 0 } });
      await report.close();
    }
    env = cleanEnv(dir);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads a local rehearsal\'s log: every run newest first, with each hop\'s update id, polls, duration and error', async () => {
    // Act
    const result = await cli(['history', '--cluster', 'conflict', '--local', dataDir, '--json'], env);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as HistoryDoc;
    expect(doc).toMatchObject({ cluster: 'conflict', source: `local ${dataDir}`, table: LOCAL_TABLE });
    expect(doc.runs.map((r) => r.runId).sort()).toEqual(['h-1', 'h-2']);
    expect(isNewestFirst(doc.runs)).toBe(true);
    for (const run of doc.runs) {
      expect(run).toMatchObject({ clusterKey: '111122223333/eu-west-1/conflict', status: 'FAILED', from: 'v1.20.5-eksbuild.1', target: 'v1.21.1-eksbuild.8', hopsDone: 0, error: { name: 'AddonUpdateFailedError' } });
      expect(run.hops).toHaveLength(1);
      const [hop] = run.hops;
      expect(hop).toMatchObject({ index: 1, fromVersion: 'v1.20.5-eksbuild.1', version: 'v1.21.1-eksbuild.8', outcome: 'FAILED', error: { name: 'AddonUpdateFailedError', code: 'ConfigurationConflict' } });
      expect(hop?.updateId).toMatch(/^[0-9a-f-]{36}$/);
      expect(hop?.polls).toBeGreaterThan(0);
      expect(typeof hop?.seconds).toBe('number');
    }
  });

  it('defaults to a table: runs, outcome, from → to and hops, and no cluster whose name merely starts the same', async () => {
    // Act
    const result = await cli(['history', '--cluster', 'happy', '--local', dataDir], env);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`History of happy (local ${dataDir}), newest first:`);
    expect(result.stdout).toContain('2 run(s)');
    expect(result.stdout).toMatch(/h-2 .*│ happy .*│ UPGRADED/);
    expect(result.stdout).toContain('1. v1.19.6-eksbuild.7 → v1.20.5-eksbuild.1 SUCCEEDED');
    expect(result.stdout).toContain('2. v1.20.5-eksbuild.1 → v1.21.1-eksbuild.8 SUCCEEDED');
    expect(result.stdout).not.toContain('happy-2');
  });

  it('says so when a cluster has no history, and refuses AWS options on a local log', async () => {
    // Act
    const [none, region, both, missing] = await Promise.all([
      cli(['history', '--cluster', 'ghost', '--local', dataDir], env),
      cli(['history', '--cluster', 'happy', '--local', dataDir, '--region', 'us-east-1'], env),
      cli(['history', '--cluster', 'happy', '--local', dataDir, '--table', 'x'], env),
      cli(['history', '--cluster', 'happy', '--local', join(dir, 'nothing-here')], env),
    ]);

    // Assess
    expect(none).toMatchObject({ code: 0, stdout: `No history for ghost in local ${dataDir}.\n` });
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('--region: applies to a deployed stage: add --stage or --table, or drop it to read the local rehearsal');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--local: reads the local rehearsal, so it cannot be combined with --stage or --table');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`no local progress log in ${join(dir, 'nothing-here')}`);
  });

  describe('against the table over HTTP', () => {
    let dynamo: LocalDynamo;
    let client: DynamoDBClient;
    let store: ProgressStore;

    beforeAll(async () => {
      dynamo = await startDynamo({ path: dataDir });
      client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
      store = createProgressStore({ doc: DynamoDBDocumentClient.from(client), tableName: LOCAL_TABLE });
    });
    afterAll(async () => {
      client?.destroy();
      await dynamo?.close();
    });

    it('reads a deployed table named by --table through AWS_ENDPOINT_URL_DYNAMODB, filtered and limited', async () => {
      // Prepare
      const [newest] = await store.clusterHistoryByName('happy', { limit: 1 });
      const awsEnv = cleanEnv(dir, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });

      // Act
      const result = await cli(['history', '--cluster', 'happy', '--table', LOCAL_TABLE, '--region', 'us-east-1', '--cluster-region', 'us-east-1', '--limit', '1', '--output', 'json'], awsEnv);

      // Assess
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout) as HistoryDoc;
      expect(doc.source).toBe(`table ${LOCAL_TABLE}`);
      expect(doc.runs.map((r) => [r.runId, r.status, r.version, r.hops.length])).toEqual([[newest?.runId, 'UPGRADED', 'v1.21.1-eksbuild.8', 2]]);
    });

    it('getRunCluster returns exactly one cluster\'s records even when another key extends it', async () => {
      // Act
      const happy = await store.getRunCluster('h-1', '111122223333/us-east-1/happy');
      const none = await store.getRunCluster('h-1', '111122223333/us-east-1/hap');

      // Assess
      expect(happy?.clusterKey).toBe('111122223333/us-east-1/happy');
      expect(happy?.cluster?.status).toBe('UPGRADED');
      expect(happy?.hops.map((h) => h.version)).toEqual(['v1.20.5-eksbuild.1', 'v1.21.1-eksbuild.8']);
      expect(happy?.snapshot?.snapshot.addonVersion).toBe('v1.19.6-eksbuild.7');
      expect(none).toBeNull();
    });

    it('readClusterHistory by key, by Region, and its bad input named as CLI options', async () => {
      // Act
      const byKey = await readClusterHistory(store, { cluster: '111122223333/eu-west-1/conflict' });
      const otherRegion = await readClusterHistory(store, { cluster: 'conflict', region: 'us-east-1' });

      // Assess
      expect(byKey.map((r) => r.runId).sort()).toEqual(['h-1', 'h-2']);
      expect(isNewestFirst(byKey)).toBe(true);
      expect(otherRegion).toEqual([]);
      await expect(readClusterHistory(store, { cluster: 'no such/cluster' })).rejects.toThrow(/^--cluster: /);
      await expect(readClusterHistory(store, { cluster: 'happy', limit: 0 })).rejects.toThrow('--limit: 0 must be a whole number from 1 to 1000');
      expect(renderClusterHistory(byKey, { color: false })).toContain('AddonUpdateFailedError (ConfigurationConflict)');
    });
  });
});
