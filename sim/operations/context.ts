import type { RouteParams } from '../routes.js';
import type { RequestScope, SimWorld } from '../world.js';

/** Everything an operation handler gets: the world, who asks (scope) and what the request carries. */
export interface OperationContext {
  readonly world: SimWorld;
  readonly scope: RequestScope;
  readonly params: RouteParams;
  readonly query: URLSearchParams;
  /** The JSON body (CreateAddon, UpdateAddon); `{}` for GET/DELETE. */
  readonly body: Record<string, unknown>;
  /** Virtual epoch ms of this request. */
  readonly now: number;
}

/** Answers one operation with its response body, or throws EksApiError. */
export type OperationHandler = (context: OperationContext) => Record<string, unknown>;
