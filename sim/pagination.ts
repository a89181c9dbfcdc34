import { constraintViolation, invalidParameter, type EksErrorFields } from './eks-api-error.js';

/**
 * docs/eks-behaviour.md#pagination: "If you don't use this parameter, 100 results and a nextToken value, if applicable,
 * are returned."
 */
export const DEFAULT_PAGE_SIZE = 100;

export interface Page<T> {
  readonly items: T[];
  /** Absent on the last page ("null when there are no more results"). */
  readonly nextToken?: string;
}

interface TokenBody {
  /** What the token pages through, so a token from another listing is refused. */
  s: string;
  /** Offset of the next item. */
  o: number;
}

/**
 * Reads `maxResults` (1..100, docs/eks-behaviour.md#pagination) from a query string.
 *
 * @example
 * pageSize(new URLSearchParams('maxResults=5')) // 5
 */
export function pageSize(query: URLSearchParams, fields: EksErrorFields = {}): number {
  const raw = query.get('maxResults');
  if (raw === null) return DEFAULT_PAGE_SIZE;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) return fail(raw, 'Member must have value greater than or equal to 1', fields);
  if (n > 100) return fail(raw, 'Member must have value less than or equal to 100', fields);
  return n;
}

const fail = (raw: string, constraint: string, fields: EksErrorFields): never => {
  throw constraintViolation('maxResults', raw, constraint, fields);
};

/**
 * One page of `items` for `maxResults`/`nextToken` in `query`. The token is opaque to clients:
 * base64url of the listing's identity and the next offset.
 *
 * @example
 * paginate(['a', 'b', 'c'], new URLSearchParams('maxResults=2'), 'ListClusters/us-east-1') // { items: ['a','b'], nextToken: '…' }
 */
export function paginate<T>(items: readonly T[], query: URLSearchParams, scope: string, fields: EksErrorFields = {}): Page<T> {
  const size = pageSize(query, fields);
  const token = query.get('nextToken');
  let offset = 0;
  if (token !== null && token !== '') {
    let body: Partial<TokenBody> | undefined;
    try {
      body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenBody>;
    } catch {
      body = undefined;
    }
    // UNVERIFIED wording: EKS's text for a bad nextToken was not observed.
    if (body?.s !== scope || !Number.isInteger(body.o) || (body.o ?? -1) < 0) throw invalidParameter('The nextToken provided is invalid.', fields);
    offset = body.o as number;
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  if (next >= items.length) return { items: page };
  return { items: page, nextToken: Buffer.from(JSON.stringify({ s: scope, o: next } satisfies TokenBody)).toString('base64url') };
}
