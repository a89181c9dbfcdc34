import { EksApiError, constraintViolation, invalidParameter, type EksErrorFields } from '../eks-api-error.js';

// Readers for request members. A member of the wrong JSON type is what AWS's restJson1 front end refuses
// with SerializationException; values that break a model constraint (docs/eks-behaviour.md#names-and-lengths) get
// InvalidParameterException.

const wrongType = (name: string, expected: string): EksApiError =>
  new EksApiError('SerializationException', `Unexpected value type for member ${name}: expected ${expected}.`);

export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(name, 'string');
  return value;
}

export function requiredString(body: Record<string, unknown>, name: string, fields: EksErrorFields = {}): string {
  const value = optionalString(body, name);
  if (value === undefined || value === '') throw invalidParameter(`${name} is a required parameter.`, fields);
  return value;
}

export function optionalStringMap(body: Record<string, unknown>, name: string): Record<string, string> | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string'))
    throw wrongType(name, 'map of strings');
  return { ...(value as Record<string, string>) };
}

/**
 * RoleArn: 1–255 characters; the Go SDK refuses "" client-side, the JS SDK does not
 * (docs/eks-behaviour.md#names-and-lengths).
 */
export function optionalRoleArn(body: Record<string, unknown>, name: string, fields: EksErrorFields): string | undefined {
  const value = optionalString(body, name);
  if (value === undefined) return undefined;
  if (value.length < 1) throw constraintViolation(name, value, 'Member must have length greater than or equal to 1', fields);
  if (value.length > 255) throw constraintViolation(name, value, 'Member must have length less than or equal to 255', fields);
  return value;
}

/** AddonPodIdentityAssociations: serviceAccount and roleArn both required (docs/eks-behaviour.md#the-addon-object). */
export function optionalPodIdentityAssociations(
  body: Record<string, unknown>,
  fields: EksErrorFields,
): { serviceAccount: string; roleArn: string }[] | undefined {
  const value = body.podIdentityAssociations;
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType('podIdentityAssociations', 'list');
  return value.map((item: unknown, i) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof entry.serviceAccount !== 'string' || typeof entry.roleArn !== 'string' || !entry.serviceAccount || !entry.roleArn)
      throw invalidParameter(`podIdentityAssociations[${i}] needs serviceAccount and roleArn.`, fields);
    return { serviceAccount: entry.serviceAccount, roleArn: entry.roleArn };
  });
}

export const RESOLVE_CONFLICTS = ['OVERWRITE', 'NONE', 'PRESERVE'] as const;
export type ResolveConflicts = (typeof RESOLVE_CONFLICTS)[number];

/**
 * `resolveConflicts`, accepted in any case because eksctl sent lowercase `overwrite` and EKS took it
 * (docs/eks-behaviour.md#conflict-resolution); `sent` keeps the caller's spelling for the update's ResolveConflicts
 * param.
 */
export function optionalResolveConflicts(body: Record<string, unknown>, fields: EksErrorFields): { sent: string; mode: ResolveConflicts } | undefined {
  const sent = optionalString(body, 'resolveConflicts');
  if (sent === undefined) return undefined;
  const mode = RESOLVE_CONFLICTS.find((m) => m === sent.toUpperCase());
  if (!mode) throw constraintViolation('resolveConflicts', sent, `Member must satisfy enum value set: [${RESOLVE_CONFLICTS.join(', ')}]`, fields);
  return { sent, mode };
}
