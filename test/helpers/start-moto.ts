import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function findOnPath(command: string): string | undefined {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The path of `moto_server` when it is on PATH (the machine image ships it; npm cannot install it). */
export const motoServerPath: string | undefined = findOnPath('moto_server');

/** A running moto_server: one endpoint for every service it emulates (Step Functions, CloudFormation, DynamoDB…). */
export interface TestMoto {
  readonly endpoint: string;
  /** `AWS_ENDPOINT_URL_*` for the services the operator CLI calls, plus test credentials and Region. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** True when moto_server is on PATH (the machine image and CI have it; npm cannot install it). */
export const motoAvailable = motoServerPath !== undefined;

/** moto's default account: the account of every ARN it creates. */
export const MOTO_ACCOUNT = '123456789012';

/**
 * Starts moto_server as a child process on a free port; `close()` kills it.
 *
 * `executeStateMachines` switches moto's Step Functions to really run definitions (`/moto-api/config`), so an
 * execution reaches SUCCEEDED or FAILED; otherwise executions stay RUNNING until StopExecution (ABORTED).
 * In moto 5.2.1 the executing mode serves only the first StartExecution of a server (later ones fail with a
 * 500 "cannot pickle '_thread.RLock'"), so start a server per executed run.
 *
 * @example
 * const moto = await startMoto();
 * const sfn = new SFNClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
 * afterAll(() => moto.close());
 */
export async function startMoto(options: { readonly executeStateMachines?: boolean } = {}): Promise<TestMoto> {
  if (motoServerPath === undefined) throw new Error('moto_server is not on PATH');
  const child = spawn(motoServerPath, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${String(code)}:\n${output}`));
    });
  });
  // Keep draining: moto logs every request, and a full pipe would stall it.
  child.stdout.removeAllListeners('data').resume();
  child.stderr.removeAllListeners('data').resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  if (options.executeStateMachines) {
    const response = await fetch(`${endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
    if (!response.ok) {
      await close();
      throw new Error(`moto_server refused the Step Functions config: ${response.status}`);
    }
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL_SFN: endpoint,
      AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    },
    close,
  };
}
