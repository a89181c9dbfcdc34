import type { IncomingMessage, ServerResponse } from 'node:http';
import { EksApiError } from './eks-api-error.js';

/** Timestamps go out as epoch seconds with a fraction: the JS SDK rejects ISO strings (facts §1). */
export const epochSeconds = (virtualMs: number): number => Math.round(virtualMs) / 1000;

/** The parts of a SigV4 `Authorization` header the simulator uses. */
export interface Credential {
  readonly accessKeyId?: string;
  readonly region?: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Reads the access key id and region from a SigV4 credential scope
 * (`Credential=AKID/20240101/us-east-1/eks/aws4_request`). Both clients always sign (facts §1, Auth).
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

/** The whole request body as text. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A restJson1 body: an object, or nothing for GET/DELETE (facts §1, Request body). */
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

/** A 200 answer (facts §2: every operation answers 200). */
export function sendJson(response: ServerResponse, requestId: string, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  response.end(text);
}

/** An error answer in the format both clients parse (facts §1, "Recommended simulator error format"). */
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
