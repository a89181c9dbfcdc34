import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { KubernetesAccessError, KubernetesUnavailableError } from '../errors.js';
import type { JsonObject } from '../json.js';

/** Where one cluster's API server is and how to authenticate to it. */
export interface KubeApiTarget {
  /** The cluster's key `account/region/name`, for errors. */
  readonly key: string;
  /** DescribeCluster `endpoint`: https in AWS; plain http only for a simulator on this machine. */
  readonly endpoint: string;
  /** Base64 PEM of the cluster CA (DescribeCluster `certificateAuthority.data`). */
  readonly certificateAuthority?: string | undefined;
  /** A bearer token (lib/kubernetes/eks-token.ts). */
  readonly token: string;
  /** The IAM principal the token is of (the access entry an operator creates), for error messages. */
  readonly principal?: string | undefined;
}

/** One GET: a JSON object, or undefined for 404. */
export type KubeGet = (path: string, query?: Readonly<Record<string, string>>) => Promise<JsonObject | undefined>;

/** A read that does not answer within this is the API unreachable (a private endpoint, a cut network path). */
const TIMEOUT_MS = 15_000;
/** Far above the largest read (the aws-node pods of a 5,000-node cluster are about 40 MiB): a runaway answer stops here. */
const MAX_BODY_BYTES = 128 * 1024 * 1024;

const isLoopbackHttp = (url: URL): boolean => url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** The `message` of a metav1.Status body, when the body is one. */
const statusMessage = (body: string): string | undefined => {
  try {
    const parsed = JSON.parse(body) as { kind?: unknown; message?: unknown };
    return parsed.kind === 'Status' && typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A read-only client of one cluster's Kubernetes API: GET with the bearer token, the cluster's CA (https), gzip
 * accepted. What the gate and the migration read is a handful of GETs, so this replaces a general client library
 * (@kubernetes/client-node is about 57 MB unpacked) with Node's own https. 401/403 become KubernetesAccessError
 * (with the API server's own message, which names the user), 404 undefined, any other status, a timeout or a
 * network error KubernetesUnavailableError (the state machine retries those).
 *
 * @example
 * const get = kubeApi({ key, endpoint, certificateAuthority, token });
 * const ds = await get('/apis/apps/v1/namespaces/kube-system/daemonsets/aws-node');
 */
export function kubeApi(target: KubeApiTarget): KubeGet {
  if (!target.endpoint) throw new KubernetesUnavailableError(target.key, 'DescribeCluster returned no endpoint');
  const base = new URL(target.endpoint);
  if (base.protocol !== 'https:' && !isLoopbackHttp(base)) throw new KubernetesUnavailableError(target.key, `endpoint ${target.endpoint} is not https`);
  const ca = base.protocol === 'https:' && target.certificateAuthority ? Buffer.from(target.certificateAuthority, 'base64').toString('utf8') : undefined;
  return async (path, query = {}) => {
    const url = new URL(base.href.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const what = `GET ${path}${url.search}`;
    const { status, body } = await get(url, target.token, ca).catch((error: unknown) => {
      throw new KubernetesUnavailableError(target.key, `${what}: ${(error as Error).message}`, { cause: error });
    });
    if (status === 404) return undefined;
    if (status === 401 || status === 403) throw new KubernetesAccessError(target.key, status, what, { principal: target.principal, serverMessage: statusMessage(body) });
    if (status !== 200) throw new KubernetesUnavailableError(target.key, `${what}: HTTP ${status}${statusMessage(body) ? ` ${statusMessage(body)}` : ''}`);
    try {
      return JSON.parse(body) as JsonObject;
    } catch (error) {
      throw new KubernetesUnavailableError(target.key, `${what}: the answer is not JSON`, { cause: error });
    }
  };
}

function get(url: URL, token: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'accept-encoding': 'gzip', 'user-agent': 'cni-fleet' },
      // One connection per read: nothing is left open in a Lambda's frozen sandbox or behind a closed test server.
      agent: false,
      timeout: TIMEOUT_MS,
      ...(ca ? { ca } : {}),
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, options, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) request.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        try {
          const raw = Buffer.concat(chunks);
          const body = response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES }) : raw;
          resolve({ status: response.statusCode ?? 0, body: body.toString('utf8') });
        } catch (error) {
          reject(error as Error);
        }
      });
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
    request.end();
  });
}
