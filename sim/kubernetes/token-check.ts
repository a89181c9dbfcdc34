import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** Static credentials whose secret the simulator knows, so it can check a token's signature like STS would. */
export interface KnownCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export type TokenVerdict = { ok: true; accessKeyId: string } | { ok: false; reason: string };

const PREFIX = 'k8s-aws-v1.';
// The parameters aws-iam-authenticator lets through in the presigned URL (pkg/token/token.go, parametersWhitelist).
const ALLOWED = new Set(['action', 'version', 'x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-security-token', 'x-amz-signature', 'x-amz-signedheaders']);
const STS_HOST = /^sts(?:\.([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/;
// aws-iam-authenticator honours a token for 15 minutes after X-Amz-Date, whatever X-Amz-Expires says.
const VALIDITY_MS = 15 * 60 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const parseAmzDate = (text: string): number | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : undefined;
};

/**
 * Checks an EKS bearer token the way the cluster's authenticator does before it asks STS: the `k8s-aws-v1.` prefix,
 * unpadded base64url, an https URL to an STS endpoint calling GetCallerIdentity, a SigV4 query presignature that
 * signs `host` and `x-k8s-aws-id`, dated within the last 15 minutes (real time: STS knows no virtual clock). When the
 * secret of the signing key is known it also recomputes the signature over `x-k8s-aws-id: <cluster>`, which proves
 * the token was made for this cluster; otherwise (STS's part) the signature is taken on trust.
 *
 * @example
 * await checkEksToken(request.headers.authorization, 'payments-prod', [], Date.now()) // { ok: true, accessKeyId: 'AKID…' }
 */
export async function checkEksToken(authorization: string | undefined, clusterName: string, known: readonly KnownCredential[], nowMs: number): Promise<TokenVerdict> {
  const fail = (reason: string): TokenVerdict => ({ ok: false, reason });
  if (!authorization) return fail('no Authorization header');
  const bearer = /^Bearer (\S+)$/.exec(authorization);
  if (!bearer) return fail('not a Bearer token');
  const token = bearer[1]!;
  if (!token.startsWith(PREFIX)) return fail(`token does not start with ${PREFIX}`);
  const encoded = token.slice(PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return fail('token is not unpadded base64url');
  let url: URL;
  try {
    url = new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return fail('token does not decode to a URL');
  }
  const host = STS_HOST.exec(url.hostname);
  if (url.protocol !== 'https:' || !host || url.pathname !== '/') return fail(`not an STS URL: ${url.protocol}//${url.host}${url.pathname}`);
  const query = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!ALLOWED.has(key.toLowerCase())) return fail(`unexpected query parameter ${key}`);
    query.set(key, value);
  }
  if (query.get('Action') !== 'GetCallerIdentity' || query.get('Version') !== '2011-06-15') return fail('not a GetCallerIdentity call');
  if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail('not a SigV4 presigned URL');
  const credential = /^([^/]+)\/(\d{8})\/([a-z0-9-]+)\/sts\/aws4_request$/.exec(query.get('X-Amz-Credential') ?? '');
  if (!credential) return fail('malformed X-Amz-Credential');
  const [, accessKeyId, , signingRegion] = credential as unknown as [string, string, string, string];
  if (host[1] !== undefined && host[1] !== signingRegion) return fail(`signed for ${signingRegion} but sent to ${url.hostname}`);
  const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
  if (!signedHeaders.includes('host')) return fail('host is not signed');
  if (!signedHeaders.includes('x-k8s-aws-id')) return fail('client did not sign the x-k8s-aws-id header in the pre-signed URL');
  const signature = query.get('X-Amz-Signature') ?? '';
  if (!/^[0-9a-f]{64}$/.test(signature)) return fail('malformed X-Amz-Signature');
  const expires = Number(query.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > 900) return fail('X-Amz-Expires must be 1..900 seconds');
  const signedAt = parseAmzDate(query.get('X-Amz-Date') ?? '');
  if (signedAt === undefined) return fail('malformed X-Amz-Date');
  if (signedAt > nowMs + CLOCK_SKEW_MS) return fail('token is dated in the future');
  if (nowMs - signedAt > VALIDITY_MS) return fail('token expired');

  const secret = known.find((k) => k.accessKeyId === accessKeyId);
  if (secret) {
    const unsigned = [...query].filter(([k]) => !k.startsWith('X-Amz-') || k === 'X-Amz-Security-Token');
    const signer = new SignatureV4({
      service: 'sts',
      region: signingRegion,
      sha256: Sha256,
      credentials: { accessKeyId, secretAccessKey: secret.secretAccessKey, ...(query.has('X-Amz-Security-Token') ? { sessionToken: query.get('X-Amz-Security-Token')! } : {}) },
    });
    const presigned = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: url.hostname,
        path: '/',
        query: Object.fromEntries(unsigned.filter(([k]) => k !== 'X-Amz-Security-Token')),
        headers: { host: url.hostname, 'x-k8s-aws-id': clusterName },
      },
      { expiresIn: expires, signingDate: new Date(signedAt) },
    );
    if (presigned.query?.['X-Amz-Signature'] !== signature) return fail(`signature does not match x-k8s-aws-id ${clusterName}`);
  }
  return { ok: true, accessKeyId };
}
