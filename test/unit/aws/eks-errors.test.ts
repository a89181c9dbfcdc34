import { describe, expect, it } from 'vitest';
import { translateEksError } from '../../../lib/aws/eks-errors.js';

/** What Node and the SDK's HTTP handler throw when no response arrives: an Error with a network code or name. */
const networkError = (fields: { name?: string; code?: string; message: string }): Error =>
  Object.assign(new Error(fields.message), fields.name ? { name: fields.name } : {}, fields.code ? { code: fields.code } : {}, { $metadata: { attempts: 3 } });

describe('translateEksError', () => {
  it.each<[string, { name?: string; code?: string; message: string }]>([
    ['a reset connection', { code: 'ECONNRESET', message: 'socket hang up' }],
    ['a refused connection', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:443' }],
    ['a socket timeout', { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT 10.0.0.1:443' }],
    ['a request timeout of the SDK handler', { name: 'TimeoutError', message: 'Connection timed out after 5000 ms' }],
    ['an endpoint that does not resolve', { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND eks.example' }],
  ])('treats %s (no HTTP status) as EksUnavailableError, which the state machine retries', (_label, fields) => {
    // Act
    const act = () => translateEksError(networkError(fields));
    // Assess
    expect(act).toThrow(expect.objectContaining({ name: 'EksUnavailableError', message: expect.stringContaining(fields.code ?? fields.name ?? '') }));
  });

  it('rethrows an error that is no network fault unchanged', () => {
    // Prepare
    const bug = new TypeError('cannot read properties of undefined');
    const aborted = networkError({ name: 'AbortError', message: 'Request aborted' });
    // Act / Assess
    expect(() => translateEksError(bug)).toThrow(bug);
    expect(() => translateEksError(aborted)).toThrow(aborted);
  });
});
