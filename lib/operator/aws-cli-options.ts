import { InputValidationError } from '../errors.js';

/** The options every AWS-reading command takes, named and behaving as in the AWS CLI. */
export interface AwsCliOptions {
  /** `--region`; absent: AWS_REGION, then the profile's `region` (the SDK's own chain). */
  readonly region?: string | undefined;
  /** `--profile`; absent: AWS_PROFILE, then `default` (the SDK's own chain). */
  readonly profile?: string | undefined;
}

/** What an SDK v3 client constructor accepts from `AwsCliOptions`. */
export interface SdkClientConfig {
  readonly region?: string;
  readonly profile?: string;
}

/**
 * The client configuration for `--region` and `--profile`. Nothing else is set on purpose: credentials, the
 * Region fallback and `AWS_ENDPOINT_URL_<SERVICE>` (e.g. AWS_ENDPOINT_URL_SFN, _DYNAMODB, _CLOUDFORMATION) all
 * resolve through the SDK's default chain, and the client-level `profile` makes that chain read the named
 * profile for credentials, Region and endpoints alike — what `aws --profile` does.
 *
 * @example
 * new SFNClient(sdkClientConfig({ region: 'eu-west-1', profile: 'prod' }))
 */
export function sdkClientConfig(options: AwsCliOptions): SdkClientConfig {
  return { ...(options.region ? { region: options.region } : {}), ...(options.profile ? { profile: options.profile } : {}) };
}

/**
 * Resolves a client's Region now, so a missing one is reported as bad input naming `--region` instead of
 * failing on the first call with the SDK's "Region is missing".
 *
 * @throws InputValidationError naming `--region`
 * @example
 * const region = await requireRegion(sfn.config.region);
 */
export async function requireRegion(region: () => Promise<string>): Promise<string> {
  try {
    const value = await region();
    if (value) return value;
  } catch {
    // Reported below, in the words an operator can act on.
  }
  throw new InputValidationError('--region', 'no AWS Region is configured: pass --region, or set AWS_REGION or a region in the profile');
}

/** How a command prints its result: `table` for people, `json` for scripts (one JSON document on stdout). */
export type OutputFormat = 'json' | 'table';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['json', 'table'];

const isOutputFormat = (value: string): value is OutputFormat => (OUTPUT_FORMATS as readonly string[]).includes(value);

/**
 * The output format: `--json`, then `--output`, then AWS_DEFAULT_OUTPUT as the AWS CLI reads it (only its
 * `json` and `table` apply here; `text` and `yaml` fall back to a table), then `table`.
 *
 * @throws InputValidationError naming `--output` for a format other than json or table
 * @example
 * resolveOutputFormat({ output: 'json' }, {}) // 'json'
 */
export function resolveOutputFormat(options: { readonly output?: string | undefined; readonly json?: boolean | undefined }, env: Readonly<Record<string, string | undefined>>): OutputFormat {
  if (options.json) return 'json';
  if (options.output !== undefined) {
    if (!isOutputFormat(options.output)) throw new InputValidationError('--output', `"${options.output}" must be one of ${OUTPUT_FORMATS.join(', ')}`);
    return options.output;
  }
  const fromEnv = env['AWS_DEFAULT_OUTPUT'];
  return fromEnv !== undefined && isOutputFormat(fromEnv) ? fromEnv : 'table';
}
