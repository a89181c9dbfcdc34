import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/** What every EKS bearer token starts with (aws-iam-authenticator pkg/token/token.go, `v1Prefix`). */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

/** The header that binds the presigned call to one cluster; EKS refuses tokens that do not sign it. */
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

/** aws-iam-authenticator presigns for 60 s (`requestPresignParam`); EKS honours the token 15 min after signing. */
const PRESIGN_SECONDS = 60;
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

export interface EksTokenInput {
  /** The cluster's name: the value of `x-k8s-aws-id`. */
  readonly clusterName: string;
  /** The Region of the STS endpoint and of the signature (the cluster's Region). */
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Wall-clock time of signing; default now. Never a virtual clock: STS checks real time. */
  readonly now?: Date;
}

export interface EksToken {
  /** `k8s-aws-v1.` + the presigned URL in unpadded base64url. */
  readonly token: string;
  /** When to make a new one (a minute before EKS stops honouring it, as aws-iam-authenticator does). */
  readonly expiresAt: Date;
}

// RFC 3986 unreserved characters stay as they are, like the query strings SigV4 canonicalises.
const encode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A bearer token for a cluster's Kubernetes API, made the way EKS authenticates IAM principals: a SigV4-presigned
 * STS `GetCallerIdentity` URL (regional endpoint, 60 s) that signs the `x-k8s-aws-id: <cluster>` header, prefixed
 * `k8s-aws-v1.` and encoded as base64url without padding — what `aws eks get-token` and aws-iam-authenticator
 * produce. The API server hands the URL to STS, which answers with the caller's ARN.
 *
 * @example
 * const { token } = await eksToken({ clusterName: 'payments-prod', region: 'us-east-1', credentials: eks.config.credentials });
 * // 'k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZ…'
 */
export async function eksToken(input: EksTokenInput): Promise<EksToken> {
  const hostname = `sts.${input.region}.amazonaws.com${input.region.startsWith('cn-') ? '.cn' : ''}`;
  const signer = new SignatureV4({ service: 'sts', region: input.region, sha256: Sha256, credentials: input.credentials });
  const now = input.now ?? new Date();
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: input.clusterName },
    },
    { expiresIn: PRESIGN_SECONDS, signingDate: now },
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value.map((v) => [key, v] as const) : value === null ? [] : [[key, value] as const]))
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return { token: `${EKS_TOKEN_PREFIX}${Buffer.from(url, 'utf8').toString('base64url')}`, expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS) };
}
