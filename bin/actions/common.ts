import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputValidationError, isCniFleetError } from '../../lib/errors.js';
import { checkQuery, resolveOutputFormat, type CommandOutput } from '../../lib/cli/output.js';
import { colorEnabled, safeText } from '../../lib/cli/terminal-text.js';
import { checkEndpointUrl, profileOutputSetting, type AwsCliOptions } from '../../lib/operator/aws-cli-options.js';
import { ExitCode, type AwsCommandOptions, type CommandIo, type OutputOptions } from '../commands/cli-helpers.js';

/** True for the errors that mean the user's input was wrong (exit status 2), not that something failed. */
const isInputError = (error: unknown): error is Error =>
  isCniFleetError(error) && (error.name === 'InputValidationError' || error.name === 'InvalidVersionError');

/**
 * Writes an error as one line naming the command (control sequences removed: messages can quote EKS) and returns
 * its exit code: 2 for bad input, else 1. With `--debug` the stack follows.
 *
 * @example
 * return reportError(io, 'start', error, options.debug);
 */
function reportError(io: CommandIo, command: string, error: unknown, debug = false): number {
  const message = error instanceof Error ? error.message : String(error);
  io.err(`cni-fleet ${command}: ${safeText(message, { oneLine: true })}\n`);
  if (debug && error instanceof Error && error.stack) io.err(`${safeText(error.stack)}\n`);
  return isInputError(error) ? ExitCode.BAD_INPUT : ExitCode.FAILURE;
}

/**
 * Runs a command's body: its exit code, or the one `reportError` gives for what it threw.
 *
 * @example
 * io.exit(await runCommand(io, 'plan', options, () => plan(options, io)));
 */
export async function runCommand(io: CommandIo, command: string, options: { readonly debug?: boolean | undefined }, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    return reportError(io, command, error, options.debug ?? false);
  }
}

/**
 * How the command prints: the format (`--json`, `--output`, AWS_DEFAULT_OUTPUT, the profile's `output`), the
 * `--query` (checked now), and whether stdout gets colours.
 *
 * @throws InputValidationError naming `--output` or `--query`
 */
export async function commandOutput(options: OutputOptions & { readonly profile?: string | undefined }, io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<CommandOutput> {
  const needsProfile = !options.json && options.output === undefined && !env['AWS_DEFAULT_OUTPUT'];
  const format = resolveOutputFormat(options, env, needsProfile ? await profileOutputSetting(options.profile).catch(() => undefined) : undefined);
  checkQuery(options.query);
  const color = colorEnabled({ stream: { isTTY: io.stdoutIsTTY ?? process.stdout.isTTY }, env, flag: options.color });
  return { format, query: options.query, color };
}

/**
 * The AWS options of a command, checked.
 *
 * @throws InputValidationError naming `--endpoint-url`
 */
export function awsOptions(options: AwsCommandOptions, region?: string | undefined): AwsCliOptions {
  checkEndpointUrl(options.endpointUrl);
  return { region: options.region ?? region, profile: options.profile, endpointUrl: options.endpointUrl, debug: options.debug };
}

/** Parses an integer option, or throws an InputValidationError naming it. */
export function intOption(value: unknown, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputValidationError(`--${name}`, `must be a whole number from ${min} to ${max}, got "${String(value)}"`);
  return n;
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

/**
 * Reads a file an option names. A missing, unreadable or non-file path is bad input naming the option, so it is
 * refused before anything runs.
 *
 * @throws InputValidationError naming `option`
 * @example
 * const text = await readOptionFile(options.fleet, '--fleet');
 */
export async function readOptionFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : safeText((error as Error).message, { oneLine: true });
    throw new InputValidationError(option, `cannot read "${path}": ${why}`, { cause: error });
  }
}

/**
 * Checks that an output folder can be one: absent (it will be created) or a folder, never a file.
 *
 * @throws InputValidationError naming `option`
 */
export async function checkOutputDir(path: string, option: string): Promise<void> {
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InputValidationError(option, `cannot use "${path}": ${safeText(error.message, { oneLine: true })}`, { cause: error });
  });
  if (found && !found.isDirectory()) throw new InputValidationError(option, `"${path}" is a file, not a folder`);
}

/**
 * Checks that a file can be written where an option says: not a folder, and its folder not a file.
 *
 * @throws InputValidationError naming `option`
 */
export async function checkOutputFile(path: string, option: string): Promise<void> {
  const found = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new InputValidationError(option, `cannot write "${path}": ${safeText(error.message, { oneLine: true })}`, { cause: error });
  });
  if (found?.isDirectory()) throw new InputValidationError(option, `"${path}" is a folder, not a file`);
  await checkOutputDir(dirname(path), option);
}
