/**
 * Error shapes the simulator sends, with their HTTP status from the EKS model
 * (docs/eks-behaviour.md#errors-on-the-wire).
 */
export const EKS_ERROR_STATUS = {
  ClientException: 400,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  ResourceInUseException: 409,
  ResourceNotFoundException: 404,
  ServerException: 500,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  // Not EKS shapes, but what AWS's restJson1 front end answers for an unparsable body or an unknown route.
  SerializationException: 400,
  UnknownOperationException: 404,
} as const;
export type EksErrorType = keyof typeof EKS_ERROR_STATUS;

/** Extra members of the error body (docs/eks-behaviour.md#errors-on-the-wire). */
export interface EksErrorFields {
  readonly clusterName?: string;
  readonly addonName?: string;
}

/**
 * An EKS error response the simulator sends: `x-amzn-errortype` header, the shape's status and a JSON body
 * `{message, clusterName, addonName}` (docs/eks-behaviour.md#errors-on-the-wire). Never leaves the
 * simulator as an exception; it is how operation handlers say "answer with this error".
 */
export class EksApiError extends Error {
  override readonly name = 'EksApiError' as const;
  readonly status: number;
  constructor(
    readonly errorType: EksErrorType,
    message: string,
    readonly fields: EksErrorFields = {},
  ) {
    super(message);
    this.status = EKS_ERROR_STATUS[errorType];
  }
}

// Texts below are verbatim from real EKS responses (docs/eks-behaviour.md#error-messages) unless marked UNVERIFIED.

export const clusterNotFound = (clusterName: string): EksApiError =>
  new EksApiError('ResourceNotFoundException', `No cluster found for name: ${clusterName}.`, { clusterName });

export const addonNotFound = (clusterName: string, addonName: string): EksApiError =>
  new EksApiError('ResourceNotFoundException', `No addon: ${addonName} found in cluster: ${clusterName}`, { clusterName, addonName });

export const updateNotFound = (clusterName: string, updateId: string): EksApiError =>
  new EksApiError('ResourceNotFoundException', `No update found for ID: ${updateId}`, { clusterName });

export const addonBusy = (clusterName: string, addonName: string, status: string): EksApiError =>
  new EksApiError('ResourceInUseException', `Addon ${addonName} cannot be updated as it is currently in ${status} state`, { clusterName, addonName });

export const addonExists = (clusterName: string, addonName: string): EksApiError =>
  new EksApiError('ResourceInUseException', 'Addon already exists.', { clusterName, addonName });

export const versionNotSupported = (clusterName: string | undefined, addonName: string): EksApiError =>
  new EksApiError('InvalidParameterException', 'Addon version specified is not supported', { clusterName, addonName });

export const oneMinorAtATime = (clusterName: string, addonName: string): EksApiError =>
  new EksApiError('InvalidParameterException', 'Updating VPC-CNI can only go up or down 1 minor version at a time', { clusterName, addonName });

export const invalidParameter = (message: string, fields: EksErrorFields = {}): EksApiError =>
  new EksApiError('InvalidParameterException', message, fields);

/**
 * UNVERIFIED wording: AWS's generic constraint-violation text, which EKS uses for out-of-range members such as
 * `maxResults` (docs/eks-behaviour.md#names-and-lengths); the exact EKS message was not observed.
 */
export const constraintViolation = (member: string, value: string, constraint: string, fields: EksErrorFields = {}): EksApiError =>
  invalidParameter(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`, fields);
