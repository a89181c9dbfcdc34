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
