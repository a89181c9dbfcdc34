import { InputValidationError } from '../errors.js';
import type { RecordedError, RecordedHopError } from './progress-items.js';

// The checks every record's writer makes on its fields, so a bad value is refused naming the field.

export function checkMember<T extends string>(allowed: Readonly<Record<string, T>>, value: T, field: string): T {
  if (!Object.values(allowed).includes(value)) {
    throw new InputValidationError(field, `"${String(value)}" must be one of ${Object.values(allowed).join(', ')}`);
  }
  return value;
}

export function checkCount(value: number, field: string): number {
  if (!(Number.isInteger(value) && value >= 0)) throw new InputValidationError(field, `${String(value)} must be a whole number ≥ 0`);
  return value;
}

// An Error instance's name and message are not enumerable, so it would be stored as {}: copy them.
export function recordedError(error: RecordedError | null): RecordedError | null {
  return error === null ? null : { name: String(error.name), message: String(error.message) };
}

export function recordedHopError(error: RecordedHopError | null): RecordedHopError | null {
  if (error === null) return null;
  const copy = { name: String(error.name), message: String(error.message) };
  return typeof error.code === 'string' ? { ...copy, code: error.code } : copy;
}
