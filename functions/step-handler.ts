import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
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
 * A thin middy handler over one lib/ step (shared/style.md §2): parse the state with zod, call the step with its
 * dependencies, return the result. Errors keep their class name, which Lambda reports as the error type that
 * the state machine's Retry/Catch match.
 *
 * @example
 * export const buildHandler = (deps: DepsProvider) => stepHandler('PollHop', ClusterState, pollHop, deps);
 */
export function stepHandler<S extends z.ZodType, O>(stepName: string, schema: S, step: (input: z.infer<S>, deps: StepDeps) => O | Promise<O>, deps: DepsProvider) {
  return middy<unknown, Awaited<O>, Error, Context>().handler(async (event): Promise<Awaited<O>> => {
    const input = parseOrThrow(schema, event, 'event');
    try {
      return await step(input, deps());
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
