import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetFile } from '../../lib/fleet/fleet-file.js';
import { rehearse, type RehearsalReport } from '../../rehearsal/rehearsal.js';
import { renderReportHtml } from '../../lib/report/report-html.js';
import { reportFromRehearsal } from '../../lib/report/run-report.js';
import type { ClusterRunView } from '../../lib/operator/cluster-run-view.js';
import { cleanEnv, cli } from '../helpers/cli-process.js';

// Which nodes the rollout gate failed a cluster on, as an operator finds them: in the rehearsal's JSON and HTML
// report, and in `cni-fleet history` (table and JSON) read back from the rehearsal's progress log.

const fleet = FleetFile.parse({
  settings: { updateSeconds: 60, secondsPerNode: 0 },
  clusters: [
    {
      name: 'inference',
      kubernetesVersion: '1.29',
      addon: { version: 'v1.19.0-eksbuild.1' },
      nodeGroups: [
        { name: 'general', count: 18 },
        { name: 'gpu', count: 2, instanceType: 'g5.xlarge' },
      ],
      faults: [{ effect: 'NODE_AGENT_CRASH_LOOP', toVersion: 'v1.20.*', nodeSelector: 'eks.amazonaws.com/nodegroup=gpu' }],
    },
    { name: 'web', kubernetesVersion: '1.29', addon: { version: 'v1.20.5-eksbuild.1' } },
  ],
});

describe('the rollout gate in the report and in history', () => {
  let dir: string;
  let dataDir: string;
  let report: RehearsalReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-gate-'));
    dataDir = join(dir, 'dynamo');
    const run = await rehearse({ fleet, virtualTime: 'event', dataDir, runId: 'gate-1', options: { failureThreshold: 0 } });
    await run.close();
    const { store: _store, close: _close, ...plain } = run;
    report = plain;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const gpuNode = /^ip-10-0-0-2[23]\.us-east-1\.compute\.internal$/;

  it('the JSON report lists the nodes at fault on the cluster and the failing hop; the healthy cluster shows its gate', () => {
    // Act
    const inference = report.clusters.find((c) => c.name === 'inference')!;
    const web = report.clusters.find((c) => c.name === 'web')!;
    // Assess
    expect(inference.status).toBe('FAILED');
    expect(inference.nodes!.map((f) => f.node)).toEqual([expect.stringMatching(gpuNode), expect.stringMatching(gpuNode)]);
    expect(inference.nodes!.every((f) => f.container === 'aws-eks-nodeagent')).toBe(true);
    expect(inference.hops.at(-1)!.rollout).toMatchObject({ verdict: 'UNHEALTHY', faultCount: 2 });
    expect(web.status).toBe('UPGRADED');
    expect(web.nodes).toEqual([]);
    expect(web.hops.every((h) => h.rollout?.verdict === 'HEALTHY')).toBe(true);
    expect(report.summary.kubernetesRequests).toBeGreaterThan(0);
  });

  it('the HTML report names each node with its container and reason', () => {
    // Act
    const html = renderReportHtml(reportFromRehearsal(report));
    // Assess
    for (const f of report.clusters.find((c) => c.name === 'inference')!.nodes!) expect(html).toContain(`<li><strong>${f.node!}</strong> aws-eks-nodeagent ${f.reason}:`);
  });

  it('`cni-fleet history` shows which nodes, in the table and in JSON', async () => {
    // Act
    const table = await cli(['history', '--cluster', 'inference', '--local', dataDir], cleanEnv(dir));
    const json = await cli(['history', '--cluster', 'inference', '--local', dataDir, '--json'], cleanEnv(dir));
    const runs = (JSON.parse(json.stdout) as { runs: ClusterRunView[] }).runs;
    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('AwsNodeRolloutError (18/20 available):');
    expect(table.stdout.match(/ip-10-0-0-2[23]\.us-east-1\.compute\.internal aws-eks-nodeagent/g)).toHaveLength(2);
    expect(runs[0]!.nodes.map((f) => f.node)).toEqual([expect.stringMatching(gpuNode), expect.stringMatching(gpuNode)]);
    expect(runs[0]!.hops.at(-1)!.rollout?.faults).toHaveLength(2);
  });
});
