import middy, { type MiddlewareObj } from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { readConfig } from '../lib/config.js';
import { isCniFleetError } from '../lib/errors.js';
import { depsFromConfig } from '../lib/steps/deps-from-config.js';
import type { StepDeps } from '../lib/steps/step-deps.js';
import { parseOrThrow } from '../lib/validation/parse-or-throw.js';

/** Where a handler gets its dependencies: built once per container in AWS, handed in by tests and the local runner. */
export type DepsProvider = () => StepDeps;

let fromEnv: StepDeps | undefined;
/** The deployed functions' dependencies, built on first use from the environment (serverless.yml). */
export const depsFromEnv: DepsProvider = () => (fromEnv ??= depsFromConfig(readConfig(process.env)));

const logger = new Logger({ serviceName: 'cni-fleet' });

/**
 * A thin middy handler over one lib/ step: the logger takes the invocation's context, the
 * Powertools parser middleware parses the state with zod, the step runs with its dependencies and its result is
 * returned. Errors keep their class name, which Lambda reports as the error type that the state machine's
 * Retry/Catch match.
 *
 * @example
 * export const buildHandler = (deps: DepsProvider) => stepHandler('PollHop', ClusterState, pollHop, deps);
 */
export function stepHandler<S extends z.ZodType, O>(stepName: string, schema: S, step: (input: z.infer<S>, deps: StepDeps) => O | Promise<O>, deps: DepsProvider) {
  // The parser middleware's ParseError names no field, and the state machines catch InputValidationError: a bad
  // state is reported as parseOrThrow reports it, naming the first offending field.
  const asInputValidationError = (error: Error, event: unknown): never => {
    parseOrThrow(schema, event, 'event');
    throw error;
  };
  // Typed as taking any event: the Step Functions state arrives unparsed, and the parser middleware types it.
  const parse: MiddlewareObj<unknown, Awaited<O>, Error, Context> = parser({ schema, errorHandler: asInputValidationError });
  // The invocation's context on every log line. Not Powertools' injectLambdaContext: it resets the log level at
  // each invocation, undoing setLogLevel, with which the rehearsal keeps its console for progress.
  const logContext: MiddlewareObj<unknown, Awaited<O>, Error, Context> = { before: (request) => logger.addContext(request.context) };
  return middy<unknown, Awaited<O>, Error, Context>()
    .use(logContext)
    .use(parse)
    .handler(async (event): Promise<Awaited<O>> => {
      try {
        return await step(event as z.infer<S>, deps());
      } catch (error) {
        // Expected outcomes (a failed update, a held lock) are warnings; anything else is a bug worth an error log.
        if (isCniFleetError(error)) logger.warn(`${stepName}: ${error.name}`, { error: error.message });
        else logger.error(`${stepName} failed`, error as Error);
        throw error;
      }
    });
}

/** Sets how much the handlers log: the local runner silences them (its console shows progress instead). */
export const setLogLevel = (level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT'): void => logger.setLogLevel(level);
