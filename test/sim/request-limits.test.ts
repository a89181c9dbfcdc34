import { request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DescribeAddonCommand } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimCommand } from '../../bin/actions/sim.js';
import { isLoopbackHost } from '../../sim/server.js';
import { EKS_BODY_LIMIT, KUBERNETES_BODY_LIMIT } from '../../sim/wire.js';
import { startTestSimulator, type TestSimulator } from '../helpers/start-simulator.js';

const MIB = 1024 * 1024;

interface RawAnswer {
  readonly status: number;
  readonly body: string;
  /** Bytes the client had handed to the socket when the answer came. */
  readonly sent: number;
}

/**
 * POSTs `size` bytes to the simulator, either with a content-length or chunked (streamed lazily, 64 KiB at a time,
 * so the test itself never holds the body), and resolves with the answer and how much was sent by then.
 */
function post(endpoint: string, path: string, size: number, { chunked = false } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const body = new Readable({
      read() {
        if (sent >= size) return void this.push(null);
        const next = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += next.length;
        this.push(next);
      },
    });
    const url = new URL(path, endpoint);
    let answered = false;
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': size }) } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const answer = { status: res.statusCode ?? 0, body: text, sent };
        body.destroy();
        req.destroy();
        resolve(answer);
      });
    });
    // The server closes the connection after its 413; the rest of our upload then fails to send, which is the point.
    // Once the server has answered it closes the connection; the rest of our upload then fails to send (EPIPE,
    // ECONNRESET), which is the point. An error before any answer is a failure.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    body.pipe(req);
  });
}

describe('request size limits', () => {
  let sim: TestSimulator;
  const k8sPath = '/k8s/111122223333/us-east-1/limits/api/v1/namespaces/kube-system/pods';

  beforeAll(async () => {
    sim = await startTestSimulator({ clusters: [{ name: 'limits', kubernetesVersion: '1.29', addon: { version: 'v1.18.1-eksbuild.1' } }] });
  });
  afterAll(() => sim?.close());

  it('EKS: a body declared over 10 MiB is answered 413 "Request Too Long" before it is read', async () => {
    // Act
    const answer = await post(sim.endpoint, '/clusters/limits/addons/vpc-cni/update', EKS_BODY_LIMIT + 1);
    // Assess
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ message: 'Request Too Long' });
    expect(sim.count({ operation: 'UpdateAddon' })).toBe(0);
  });

  it('EKS: a streamed body with no length is cut off at the limit, not read to its end (64 MiB offered)', async () => {
    // Act
    const answer = await post(sim.endpoint, '/clusters/limits/addons/vpc-cni/update', 64 * MIB, { chunked: true });
    // Assess: the answer came while the upload was still going: the server did not wait to read it all.
    expect(answer.status).toBe(413);
    expect(answer.sent).toBeLessThan(64 * MIB);
  });

  it('EKS: a body at the limit is read and answered by the operation', async () => {
    // Act
    const answer = await post(sim.endpoint, '/clusters/limits/addons/vpc-cni/update', EKS_BODY_LIMIT);
    // Assess: 10 MiB of "aaa…" is no JSON object, which the operation refuses as EKS would.
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('not valid JSON');
  });

  it('Kubernetes: over 3 MiB is a 413 Status "Request entity too large: limit is 3145728"', async () => {
    // Act
    const declared = await post(sim.endpoint, k8sPath, KUBERNETES_BODY_LIMIT + 1);
    const streamed = await post(sim.endpoint, k8sPath, 32 * MIB, { chunked: true });
    // Assess
    for (const answer of [declared, streamed]) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'RequestEntityTooLarge', code: 413, message: 'Request entity too large: limit is 3145728' });
    }
    expect(streamed.sent).toBeLessThan(32 * MIB);
  });

  it('keeps serving after refusing', async () => {
    // Act
    const { addon } = await sim.eks.send(new DescribeAddonCommand({ clusterName: 'limits', addonName: 'vpc-cni' }));
    // Assess
    expect(addon?.addonVersion).toBe('v1.18.1-eksbuild.1');
  });
});

describe('binding beyond loopback', () => {
  let dir: string;
  let fleet: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cni-fleet-limits-'));
    fleet = join(dir, 'fleet.json');
    await writeFile(fleet, JSON.stringify({ clusters: [{ name: 'c1', kubernetesVersion: '1.29' }] }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.20', false],
  ])('%s is loopback: %s', (host, loopback) => {
    // Act / Assess
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('cni-fleet sim warns on one stderr line when bound to 0.0.0.0, and not on loopback', async () => {
    // Prepare
    const wide: string[] = [];
    const local: string[] = [];
    // Act
    const open = await startSimCommand({ fleet, host: '0.0.0.0' }, { out: () => undefined, err: (l) => wide.push(l) });
    const closed = await startSimCommand({ fleet }, { out: () => undefined, err: (l) => local.push(l) });
    for (const sim of [open, closed]) if (typeof sim !== 'number') await sim.close();
    // Assess
    expect(wide).toHaveLength(1);
    expect(wide[0]).toMatch(/^cni-fleet sim: warning: listening on 0\.0\.0\.0, beyond this machine; .*no real authentication/);
    expect(local).toEqual([]);
  });
});
