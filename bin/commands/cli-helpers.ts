import type { Command } from 'commander';
import { InputValidationError, isCniFleetError } from '../../lib/errors.js';

/** Parses an integer option, or throws an InputValidationError naming it. */
export function intOption(value: unknown, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputValidationError(`--${name}`, `must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  return n;
}

/** True for the errors that mean the user's input was wrong (exit status 2), not that something failed. */
export const isInputError = (error: unknown): error is Error =>
  isCniFleetError(error) && (error.name === 'InputValidationError' || error.name === 'InvalidVersionError');

/** Runs a command; bad input ends it with one line on stderr naming the field, and exit status 2. */
export async function exitOnInputError(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (isInputError(error)) {
      process.stderr.write(`cni-fleet: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

/** Where a command writes, and how it reports its exit code: the process, unless a test passes its own. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => void;
  /** The live progress view's stream (bars on a terminal, lines elsewhere). */
  readonly progress?: NodeJS.WritableStream & { readonly isTTY?: boolean };
}

/** The process's streams. */
export const processIo: CommandIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  // exitCode, not exit(): stdout may still be draining into a pipe.
  exit: (code) => {
    process.exitCode = code;
  },
  progress: process.stderr,
};

/**
 * Exit codes of the operator commands: 0 done, 1 an AWS or other failure, 2 bad input (nothing was called),
 * 3 a followed execution ended FAILED, TIMED_OUT or ABORTED, 130 interrupted while following.
 */
export const ExitCode = { OK: 0, FAILURE: 1, BAD_INPUT: 2, RUN_FAILED: 3, INTERRUPTED: 130 } as const;

/** The options every AWS-reading command shares, as the AWS CLI names them. */
export interface AwsCommandOptions {
  region?: string;
  profile?: string;
  output?: string;
  json?: boolean;
}

/** Adds `--region`, `--profile`, `--output json|table` and `--json` (= `--output json`) to a command. */
export function addAwsOptions(command: Command, what: string): Command {
  return command
    .option('--region <region>', `AWS Region ${what} (default: AWS_REGION, then the profile's region)`)
    .option('--profile <profile>', 'shared-config profile for credentials, Region and endpoints (default: AWS_PROFILE, then the default chain)')
    .option('--output <format>', 'json or table (default: AWS_DEFAULT_OUTPUT when it is json or table, else table)')
    .option('--json', 'same as --output json: stdout is one JSON document');
}

/** The text for `--help` about the endpoints the SDK reads from the environment. */
export const ENDPOINT_HELP =
  '\nEnvironment (read by the AWS SDK itself, as by the AWS CLI):\n' +
  '  AWS_REGION, AWS_PROFILE, AWS_DEFAULT_OUTPUT\n' +
  '  AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_CLOUDFORMATION  send those calls to another endpoint (e.g. local servers)\n';

/**
 * Writes an error as one line naming the command and returns its exit code: 2 for bad input, else 1.
 *
 * @example
 * return reportError(io, 'start', error);
 */
export function reportError(io: CommandIo, command: string, error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  io.err(`cni-fleet ${command}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return isInputError(error) ? ExitCode.BAD_INPUT : ExitCode.FAILURE;
}

/**
 * Parses `--interval` (seconds, fractions allowed) into milliseconds.
 *
 * @throws InputValidationError naming `--interval`
 */
export function intervalOption(value: unknown): number {
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds >= 0.1 && seconds <= 300)) throw new InputValidationError('--interval', `must be a number of seconds from 0.1 to 300, got "${String(value)}"`);
  return Math.round(seconds * 1000);
}
