import { getProfileName, loadSharedConfigFiles } from '@smithy/core/config';
import { InputValidationError } from '../errors.js';
import { safeText } from '../cli/terminal-text.js';

/** The options every AWS-reading command takes, named and behaving as in the AWS CLI. */
export interface AwsCliOptions {
  /** `--region`; absent: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`. */
  readonly region?: string | undefined;
  /** `--profile`; absent: AWS_PROFILE, then `default` (the SDK's own chain). */
  readonly profile?: string | undefined;
  /** `--endpoint-url`: every call of the command goes there, whatever AWS_ENDPOINT_URL_* or the profile say. */
  readonly endpointUrl?: string | undefined;
  /** `--debug`: the SDK logs each request and response on stderr. */
  readonly debug?: boolean | undefined;
}

/** A logger the SDK clients accept; `--debug` sends theirs to stderr. */
export interface SdkLogger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

/** What an SDK v3 client constructor accepts from `AwsCliOptions`. */
export interface SdkClientConfig {
  readonly region?: string;
  readonly profile?: string;
  readonly endpoint?: string;
  readonly logger?: SdkLogger;
}

const stderrLogger = (level: string) => (...content: unknown[]): void => {
  const text = content.map((c) => (typeof c === 'string' ? c : JSON.stringify(c))).join(' ');
  process.stderr.write(`cni-fleet debug [${level}] ${safeText(text, { oneLine: true })}\n`);
};

/** The `--debug` logger: every SDK client's request log, one line each on stderr. */
const debugLogger: SdkLogger = { debug: stderrLogger('debug'), info: stderrLogger('info'), warn: stderrLogger('warn'), error: stderrLogger('error') };

/**
 * The client configuration for the AWS CLI's options. Only what the SDK's own chain does not do the AWS CLI's way
 * is set here:
 * - the Region: `--region`, else AWS_REGION, else AWS_DEFAULT_REGION (the AWS CLI's variable, which the SDK does
 *   not read), else the profile's `region` (the SDK's chain);
 * - the profile: the client-level `profile`, so credentials come from it even when AWS_ACCESS_KEY_ID is set, as
 *   with `aws --profile` (the CLI's entry also sets AWS_PROFILE, so the profile's `endpoint_url` and `services`
 *   apply: the SDK reads those for the environment's profile only);
 * - `--endpoint-url`, which beats AWS_ENDPOINT_URL_<SERVICE> and the profile's endpoints.
 * Credentials, the AWS_ENDPOINT_URL_<SERVICE> variables and the profile's other settings resolve through the SDK.
 *
 * @example
 * new SFNClient(sdkClientConfig({ region: 'eu-west-1', profile: 'prod' }))
 */
export function sdkClientConfig(options: AwsCliOptions, env: Readonly<Record<string, string | undefined>> = process.env): SdkClientConfig {
  const region = options.region || (env['AWS_REGION'] ? undefined : env['AWS_DEFAULT_REGION'] || undefined);
  return {
    ...(region ? { region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.debug ? { logger: debugLogger } : {}),
  };
}

/**
 * Checks `--endpoint-url` before any client exists: an http(s) URL, as the AWS CLI requires.
 *
 * @throws InputValidationError naming `--endpoint-url`
 */
export function checkEndpointUrl(url: string | undefined): void {
  if (url === undefined) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputValidationError('--endpoint-url', `"${url}" is not a URL (e.g. https://states.eu-west-1.amazonaws.com or http://127.0.0.1:8083)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InputValidationError('--endpoint-url', `"${url}" must be an http:// or https:// URL`);
}

/**
 * The profile's `output` setting (~/.aws/config, or AWS_CONFIG_FILE), read with the SDK's own shared-config loader.
 *
 * @example
 * await profileOutputSetting('prod') // 'json' when [profile prod] says output = json
 */
export async function profileOutputSetting(profile?: string | undefined): Promise<string | undefined> {
  const { configFile } = await loadSharedConfigFiles();
  return configFile[getProfileName({ ...(profile ? { profile } : {}) })]?.['output'];
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
  throw new InputValidationError('--region', 'no AWS Region is configured: pass --region, or set AWS_REGION, AWS_DEFAULT_REGION or a region in the profile');
}
