import { Option, type Command } from 'commander';

// This module is loaded for every command and for `--help`: it defines options and help text only. What the
// commands do lives in bin/actions/, imported when a command runs, so `cni-fleet --help` starts in a fraction
// of a second.

/** Where a command writes, and how it reports its exit code: the process, unless a test passes its own. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly exit: (code: number) => void;
  /** The live progress view's stream (bars on a terminal, lines elsewhere). */
  readonly progress?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Whether stdout is a terminal (colour, in-place redraws); the process's own when absent. */
  readonly stdoutIsTTY?: boolean;
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
 * Exit codes of every command: 0 done, 1 an AWS or other failure, 2 bad input or usage (nothing was changed or
 * called), 3 a followed execution ended FAILED, TIMED_OUT or ABORTED, 130 interrupted.
 */
export const ExitCode = { OK: 0, FAILURE: 1, BAD_INPUT: 2, RUN_FAILED: 3, INTERRUPTED: 130 } as const;

/** The output options every command shares, as the AWS CLI names them. */
export interface OutputOptions {
  output?: string;
  json?: boolean;
  query?: string;
  /** false with `--no-color`. */
  color?: boolean;
  debug?: boolean;
}

/** The options every AWS-reading command shares, as the AWS CLI names them. */
export interface AwsCommandOptions extends OutputOptions {
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

/** Adds `--output json|table|text`, `--json`, `--query`, `--no-color` and `--debug` to a command. */
export function addOutputOptions(command: Command): Command {
  return command
    .option('--output <format>', 'json, table or text (default: AWS_DEFAULT_OUTPUT, then the profile\'s output setting, else table)')
    .option('--json', 'same as --output json: stdout is one JSON document')
    .option('--query <jmespath>', 'a JMESPath expression applied to the JSON document before it is printed (as in the AWS CLI)')
    .option('--no-color', 'no colours (also: NO_COLOR, or stdout not a terminal)')
    .option('--debug', 'log each AWS request on stderr, and the stack of an error');
}

/** Adds `--region`, `--profile` and `--endpoint-url`, and the output options, to a command. */
export function addAwsOptions(command: Command, what: string): Command {
  command
    .option('--region <region>', `AWS Region ${what} (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)`)
    .addOption(new Option('--profile <profile>', 'shared-config profile: its credentials, Region, output and endpoint_url, exactly as AWS_PROFILE=PROFILE (default: AWS_PROFILE)'))
    .option('--endpoint-url <url>', 'send every AWS call of this command to this URL (e.g. local servers)');
  return addOutputOptions(command);
}

/** The text for `--help` about the environment the AWS SDK reads, as the AWS CLI does. */
export const ENVIRONMENT_HELP =
  '\nEnvironment (read as the AWS CLI reads it):\n' +
  '  AWS_PROFILE, AWS_REGION, AWS_DEFAULT_REGION, AWS_DEFAULT_OUTPUT, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE\n' +
  '  AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EKS, AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_CLOUDFORMATION\n' +
  '    and the profile\'s endpoint_url send those calls elsewhere, e.g. to local servers (--endpoint-url beats them all)\n' +
  '  NO_COLOR  no colours\n';

/**
 * The exit-code paragraph of a command's help.
 *
 * @example
 * exitCodesHelp('0 planned (even if some clusters are blocked)')
 */
export const exitCodesHelp = (ok: string, ...more: string[]): string =>
  `\nExit codes: ${ok}, 1 AWS or other failure, 2 bad input or usage (nothing was called)${more.length ? `,\n  ${more.join(',\n  ')}` : ''}.\n`;

/** The options that choose a progress log: a deployed stage's table, a table by name, or a rehearsal's local copy. */
export interface ProgressOptions extends AwsCommandOptions {
  stage?: string;
  table?: string;
  local?: string | boolean;
}

/** Where `rehearse` keeps its progress log unless told otherwise (`--data-dir`). */
export const LOCAL_DATA_DIR = '.rehearsal/dynamo';

/** Adds `--stage`, `--table` and `--local [dir]`. */
export function addProgressOptions(command: Command, local: string): Command {
  return command
    .addOption(new Option('--stage <stage>', 'deployed stage: the stack cni-fleet-STAGE and its outputs (state machines, ProgressTableName)').env('CNI_FLEET_STAGE'))
    .addOption(new Option('--table <name>', 'progress table name (instead of the stack output)').env('CNI_FLEET_TABLE'))
    .option('--local [dir]', `${local} (default folder ${LOCAL_DATA_DIR}, where \`npm start\` keeps it)`);
}
