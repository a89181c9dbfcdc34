import { isTransientError } from '@smithy/core/retry';
import { AddonRequestRejectedError, ClusterNotFoundError, EksThrottledError, EksUnavailableError } from '../errors.js';

/** The fields every SDK v3 service exception carries. */
interface ServiceErrorLike {
  name?: string;
  message?: string;
  /** Node's network error code (ECONNRESET, ETIMEDOUT, …): set when no response arrived. */
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: 'client' | 'server';
}

const asServiceError = (error: unknown): ServiceErrorLike => (typeof error === 'object' && error !== null ? (error as ServiceErrorLike) : {});

/**
 * The SDK error's name (the `x-amzn-errortype` of the response: docs/eks-behaviour.md#errors-on-the-wire), or undefined
 * for non-SDK errors.
 */
export const eksErrorName = (error: unknown): string | undefined => asServiceError(error).name;

/** True for a 404 ResourceNotFoundException. */
export const isNotFound = (error: unknown): boolean => eksErrorName(error) === 'ResourceNotFoundException';

/** True for a 409 ResourceInUseException (the add-on is CREATING/UPDATING: docs/eks-behaviour.md#error-messages). */
export const isInUse = (error: unknown): boolean => eksErrorName(error) === 'ResourceInUseException';

/**
 * Turns what the SDK threw after its own retries (3 attempts: docs/eks-behaviour.md#sdk-retries) into the error the
 * state machine handles: throttling and 5xx become retryable typed errors, and so do the network faults that end
 * a request without any HTTP status (a reset or refused connection, a socket or request timeout, an unresolvable
 * endpoint): the SDK's own retry strategy counts them as transient (`isTransientError`), and they are no less so
 * after its attempts are spent. A 404 on the cluster becomes ClusterNotFoundError; anything else is rethrown
 * unchanged.
 *
 * @param cluster the cluster key (`account/region/name`) the request was about, for a ClusterNotFoundError
 */
export function translateEksError(error: unknown, cluster?: string): never {
  const e = asServiceError(error);
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'ThrottlingException' || e.name === 'TooManyRequestsException' || status === 429)
    throw new EksThrottledError(`EKS throttled the request: ${e.message ?? ''}`, { cause: error });
  if (e.$fault === 'server' || (status !== undefined && status >= 500))
    throw new EksUnavailableError(`EKS answered ${status ?? 'a server error'} ${e.name ?? ''}: ${e.message ?? ''}`, { cause: error });
  if (status === undefined && typeof error === 'object' && error !== null && isTransientError(error as Parameters<typeof isTransientError>[0]))
    throw new EksUnavailableError(`EKS could not be reached (${e.code ?? e.name ?? 'network error'}): ${e.message ?? ''}`, { cause: error });
  if (cluster && e.name === 'ResourceNotFoundException' && /No cluster found/i.test(e.message ?? ''))
    throw new ClusterNotFoundError(cluster, { cause: error });
  throw error;
}

/** For a rejected UpdateAddon/CreateAddon (4xx other than 404/409/429): a typed error naming EKS's code. */
export function rejectedRequest(error: unknown, cluster: string, version: string): AddonRequestRejectedError {
  const e = asServiceError(error);
  return new AddonRequestRejectedError(cluster, version, e.name ?? 'Unknown', e.message ?? '', { cause: error });
}
