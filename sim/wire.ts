import type { IncomingMessage, ServerResponse } from 'node:http';
import { EksApiError } from './eks-api-error.js';

/**
 * Timestamps go out as epoch seconds with a fraction: the JS SDK rejects ISO strings
 * (docs/eks-behaviour.md#timestamps).
 */
export const epochSeconds = (virtualMs: number): number => Math.round(virtualMs) / 1000;

/** The parts of a SigV4 `Authorization` header the simulator uses. */
export interface Credential {
  readonly accessKeyId?: string;
  readonly region?: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Reads the access key id and region from a SigV4 credential scope
 * (`Credential=AKID/20240101/us-east-1/eks/aws4_request`). Both clients always sign
 * (docs/eks-behaviour.md#protocol-and-signing).
 *
 * @example
 * parseCredential('AWS4-HMAC-SHA256 Credential=111122223333/20240101/eu-west-1/eks/aws4_request, …')
 * // { accessKeyId: '111122223333', region: 'eu-west-1' }
 */
export function parseCredential(authorization: string | undefined): Credential {
  const match = authorization ? CREDENTIAL.exec(authorization) : null;
  if (!match) return {};
  return { accessKeyId: match[1], region: match[2] };
}

/**
 * The largest request body the EKS endpoint reads: 10 MiB, the payload limit of an AWS API Gateway REST endpoint
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). EKS publishes no limit of its own;
 * its largest member, `configurationValues`, is far smaller.
 */
export const EKS_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * The largest request body a cluster's Kubernetes API reads: kube-apiserver's default of 3 MiB
 * (`--max-request-body-bytes`, https://kubernetes.io/docs/reference/command-line-tools-reference/kube-apiserver/),
 * which answers "Request entity too large: limit is 3145728".
 */
export const KUBERNETES_BODY_LIMIT = 3 * 1024 * 1024;

/** A request body over the endpoint's limit: answered 413 before the rest of it is read. */
export class RequestTooLargeError extends Error {
  override readonly name = 'RequestTooLargeError' as const;
  constructor(readonly limitBytes: number) {
    super(`request body over ${limitBytes} bytes`);
  }
}

/**
 * The whole request body as text, refused with RequestTooLargeError as soon as it is known to exceed
 * `limitBytes`: from `content-length` before reading anything, or while reading a chunked body, so an oversized
 * upload never sits in memory (docs/simulator.md, "Request size").
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limitBytes) return Promise.reject(new RequestTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      // Stop reading but keep the socket: the 413 must still reach the client (sendTooLarge closes it after).
      request.off('data', onData);
      request.pause();
      chunks.length = 0;
      reject(new RequestTooLargeError(limitBytes));
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

/** A restJson1 body: an object, or nothing for GET/DELETE (docs/eks-behaviour.md#protocol-and-signing). */
export function parseJsonBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EksApiError('SerializationException', 'Request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new EksApiError('SerializationException', 'Request body must be a JSON object.');
  return value as Record<string, unknown>;
}

/** A 200 answer (every operation answers 200: docs/eks-behaviour.md#protocol-and-signing). */
export function sendJson(response: ServerResponse, requestId: string, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  response.end(text);
}

/** An error answer in the format both clients parse (docs/eks-behaviour.md#errors-on-the-wire). */
export function sendError(response: ServerResponse, requestId: string, error: EksApiError): void {
  const text = JSON.stringify({ message: error.message, ...error.fields });
  response.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.errorType,
  });
  response.end(text);
}

/** How long the rest of a refused upload is read and dropped, so the client sees the 413 before the connection closes. */
const LINGER_MS = 5000;

/**
 * 413 for a body over the limit, in the endpoint's own format: API Gateway's `{"message":"Request Too Long"}` for
 * EKS, a `metav1.Status` with reason RequestEntityTooLarge for Kubernetes. The rest of the upload is read and
 * dropped, never stored, for at most 5 s and then the connection is cut (a "lingering close", as web servers do):
 * closing at once would make most clients report a connection reset instead of the 413.
 */
export function refuseTooLarge(request: IncomingMessage, response: ServerResponse, requestId: string, endpoint: 'eks' | 'kubernetes', limitBytes: number): void {
  const body =
    endpoint === 'eks'
      ? { message: 'Request Too Long' }
      : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Request entity too large: limit is ${limitBytes}`, reason: 'RequestEntityTooLarge', code: 413 };
  const text = JSON.stringify(body);
  const socket = request.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  // A client that sent it all within the time keeps its connection, as after any other answer.
  request.once('end', () => clearTimeout(timer));
  request.resume();
  response.writeHead(413, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(endpoint === 'eks' ? { 'x-amzn-requestid': requestId, 'x-amzn-errortype': 'RequestTooLongException' } : {}),
  });
  response.end(text);
}
