/**
 * List prices, us-east-1 (docs/quotas-and-prices.md#step-functions-prices, docs/quotas-and-prices.md#lambda), free
 * tiers ignored: the cost of a run, not of a month.
 */
export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions (retries count). */
  perTransition: 0.025 / 1000,
  /** Lambda: $0.20 per 1M requests. */
  perLambdaRequest: 0.2 / 1_000_000,
  /** Lambda x86: $0.0000166667 per GB-second, billed per 1 ms. */
  perGbSecond: 0.0000166667,
} as const;

/** The functions' memory size (rehearsal/rehearsal.ts gives the handlers a 256 MB Lambda context). */
export const LAMBDA_MEMORY_MB = 256;

export interface RunCost {
  readonly stepFunctions: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly total: number;
}

/**
 * Step Functions Standard + Lambda cost of a run at list prices.
 *
 * @param billedMs the handlers' durations, each rounded up to the next ms as Lambda bills them
 * @example
 * runCost({ transitions: 12, lambdaInvocations: 6, billedMs: 900 }).total
 */
export function runCost(usage: { transitions: number; lambdaInvocations: number; billedMs: number }, memoryMb = LAMBDA_MEMORY_MB): RunCost {
  const stepFunctions = usage.transitions * PRICES.perTransition;
  const lambdaRequests = usage.lambdaInvocations * PRICES.perLambdaRequest;
  const lambdaDuration = (usage.billedMs / 1000) * (memoryMb / 1024) * PRICES.perGbSecond;
  return { stepFunctions, lambdaRequests, lambdaDuration, total: stepFunctions + lambdaRequests + lambdaDuration };
}
