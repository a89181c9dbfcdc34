import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { EKS_TOKEN_PREFIX, eksToken } from '../../lib/kubernetes/eks-token.js';
import { parseFleetFile } from '../../lib/fleet/fleet-file.js';
import { startSimulator, type Simulator } from '../../sim/server.js';

const KEY = { accessKeyId: 'AKIDTOKENTEST', secretAccessKey: 'token-test-secret' };
const SIGNED_AT = new Date('2026-03-01T12:00:00Z');

describe('eksToken', () => {
  it('is k8s-aws-v1. + unpadded base64url of a presigned STS GetCallerIdentity URL', async () => {
    // Prepare
    const input = { clusterName: 'payments-prod', region: 'eu-west-1', credentials: KEY, now: SIGNED_AT };
    // Act
    const { token, expiresAt } = await eksToken(input);
    // Assess
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    const encoded = token.slice(EKS_TOKEN_PREFIX.length);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
    expect(url.origin + url.pathname).toBe('https://sts.eu-west-1.amazonaws.com/');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDTOKENTEST/20260301/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20260301T120000Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(expiresAt.toISOString()).toBe('2026-03-01T12:14:00.000Z');
  });

  it('signs the STS host and x-k8s-aws-id: <cluster> (an independent SigV4 presign over them gives the same signature)', async () => {
    // Prepare
    const { token } = await eksToken({ clusterName: 'payments-prod', region: 'us-east-1', credentials: KEY, now: SIGNED_AT });
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', sha256: Sha256, credentials: KEY });
    const request = (cluster: string) => ({
      method: 'GET',
      protocol: 'https:',
      hostname: 'sts.us-east-1.amazonaws.com',
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: 'sts.us-east-1.amazonaws.com', 'x-k8s-aws-id': cluster },
    });
    // Act
    const same = await signer.presign(request('payments-prod'), { expiresIn: 60, signingDate: SIGNED_AT });
    const other = await signer.presign(request('another-cluster'), { expiresIn: 60, signingDate: SIGNED_AT });
    // Assess
    expect(url.searchParams.get('X-Amz-Signature')).toBe(same.query?.['X-Amz-Signature']);
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(other.query?.['X-Amz-Signature']);
  });

  it('carries the session token of temporary credentials', async () => {
    // Prepare
    const credentials = async () => ({ ...KEY, sessionToken: 'FwoGZXIvYXdzEXAMPLE' });
    // Act
    const { token } = await eksToken({ clusterName: 'c1', region: 'us-east-1', credentials, now: SIGNED_AT });
    // Assess
    const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzEXAMPLE');
  });
});

describe("the simulator's Kubernetes API token check", () => {
  let sim: Simulator;
  let base: string;

  beforeAll(async () => {
    const fleet = parseFleetFile(JSON.stringify({ clusters: [{ name: 'c1', kubernetesVersion: '1.28', selfManaged: { version: 'v1.15.1' } }] }));
    sim = await startSimulator({ fleet, speed: 1000, unref: true, knownCredentials: [KEY] });
    base = `${sim.endpoint}/k8s/111122223333/us-east-1/c1/api/v1/namespaces/kube-system/serviceaccounts/aws-node`;
  });
  afterAll(() => sim?.close());

  const get = (authorization?: string) => fetch(base, { headers: authorization === undefined ? {} : { authorization } });
  const tokenFor = async (clusterName: string, overrides: { now?: Date; credentials?: typeof KEY } = {}) =>
    (await eksToken({ clusterName, region: 'us-east-1', credentials: overrides.credentials ?? KEY, ...(overrides.now ? { now: overrides.now } : {}) })).token;

  it('answers 200 to a valid token for this cluster', async () => {
    // Act
    const response = await get(`Bearer ${await tokenFor('c1')}`);
    // Assess
    expect(response.status).toBe(200);
    expect(((await response.json()) as { kind: string }).kind).toBe('ServiceAccount');
  });

  it.each([
    ['no Authorization header', undefined],
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['no k8s-aws-v1. prefix', 'Bearer aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8'],
    ['padded base64', `Bearer ${EKS_TOKEN_PREFIX}aHR0cHM6Ly9leGFtcGxlLmNvbS8=`],
    ['a URL that is not STS', `Bearer ${EKS_TOKEN_PREFIX}${Buffer.from('https://example.com/?Action=GetCallerIdentity').toString('base64url')}`],
  ])('answers 401 Unauthorized to %s', async (_what, authorization) => {
    // Act
    const response = await get(authorization);
    // Assess
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('answers 401 to a token signed for another cluster, an expired token, and a wrong secret', async () => {
    // Prepare
    const forOther = await tokenFor('c2');
    const expired = await tokenFor('c1', { now: new Date(Date.now() - 20 * 60 * 1000) });
    const wrongSecret = await tokenFor('c1', { credentials: { ...KEY, secretAccessKey: 'not-the-secret' } });
    // Act
    const statuses = await Promise.all([forOther, expired, wrongSecret].map(async (t) => (await get(`Bearer ${t}`)).status));
    // Assess
    expect(statuses).toEqual([401, 401, 401]);
  });

  it('is read-only: a write with a valid token is 403 Forbidden', async () => {
    // Act
    const response = await fetch(base, { method: 'PATCH', headers: { authorization: `Bearer ${await tokenFor('c1')}`, 'content-type': 'application/merge-patch+json' }, body: '{}' });
    // Assess
    expect(response.status).toBe(403);
    expect(sim.count()).toBe(0);
  });
});
