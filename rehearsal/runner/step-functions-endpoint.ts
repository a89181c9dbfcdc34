import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalRunner } from './workflow-runner.js';
import { TaskTokenApiError } from './task-tokens.js';

/** The Step Functions operations a rehearsal answers from other processes (the CLI's `--local`, tests). */
const TARGET_PREFIX = 'AWSStepFunctions.';
// StartExecution's and SendTask*'s bodies are at most a 256 KiB output plus a 2 KiB token.
const BODY_LIMIT = 300 * 1024;

/** A running local Step Functions endpoint. */
export interface LocalStepFunctionsEndpoint {
  /** `http://127.0.0.1:PORT`, for `new SFNClient({ endpoint })` or `aws stepfunctions … --endpoint-url`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** What the endpoint does for StopExecution: stop the rehearsal's executions (`cni-fleet abort --local`). */
export type StopExecutions = (executionArn: string, cause: string | undefined) => Promise<boolean>;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const failure = (status: number, type: string, message: string): Answer => ({ status, body: { __type: type, message } });

/**
 * Serves Step Functions' SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat (awsJson1_0, target
 * `AWSStepFunctions.*`, the protocol `@aws-sdk/client-sfn` speaks) over a local runner's task tokens, and
 * StopExecution over `stop`, on 127.0.0.1 only: what the CLI's `--local` path and tests call while a rehearsal waits
 * for an approval, exactly as they call the service in AWS. Errors carry the API's own codes (InvalidToken,
 * TaskDoesNotExist, TaskTimedOut, InvalidOutput).
 *
 * @example
 * const endpoint = await serveStepFunctions(runner, stop);
 * await new SFNClient({ endpoint: endpoint.endpoint, region: 'us-east-1', credentials }).send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
 */
export async function serveStepFunctions(runner: Pick<LocalRunner, 'sendTaskSuccess' | 'sendTaskFailure' | 'sendTaskHeartbeat'>, stop?: StopExecutions): Promise<LocalStepFunctionsEndpoint> {
  const answer = async (operation: string, body: Record<string, unknown>): Promise<Answer> => {
    try {
      switch (operation) {
        case 'SendTaskSuccess':
          runner.sendTaskSuccess(body['taskToken'] as string, body['output'] as string);
          return { status: 200, body: {} };
        case 'SendTaskFailure':
          runner.sendTaskFailure(body['taskToken'] as string, body['error'] as string | undefined, body['cause'] as string | undefined);
          return { status: 200, body: {} };
        case 'SendTaskHeartbeat':
          runner.sendTaskHeartbeat(body['taskToken'] as string);
          return { status: 200, body: {} };
        case 'StopExecution': {
          if (!stop) return failure(400, 'UnknownOperationException', 'this endpoint stops no executions');
          const arn = body['executionArn'];
          if (typeof arn !== 'string') return failure(400, 'ValidationException', 'executionArn is required');
          if (!(await stop(arn, typeof body['cause'] === 'string' ? body['cause'] : undefined))) return failure(400, 'ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
          return { status: 200, body: { stopDate: Date.now() / 1000 } };
        }
        default:
          return failure(400, 'UnknownOperationException', `the local endpoint answers SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat and StopExecution, not ${operation}`);
      }
    } catch (error) {
      if (error instanceof TaskTokenApiError) return failure(400, error.code, error.message);
      throw error;
    }
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let reply: Promise<Answer>;
      if (size > BODY_LIMIT) reply = Promise.resolve(failure(413, 'ValidationException', `request body over ${BODY_LIMIT} bytes`));
      else if (!target.startsWith(TARGET_PREFIX)) reply = Promise.resolve(failure(400, 'UnknownOperationException', 'not a Step Functions request (X-Amz-Target AWSStepFunctions.*)'));
      else {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
          reply = answer(target.slice(TARGET_PREFIX.length), body);
        } catch {
          reply = Promise.resolve(failure(400, 'SerializationException', 'the body is not JSON'));
        }
      }
      reply
        .catch((error: unknown) => failure(500, 'InternalFailure', String(error)))
        .then(({ status, body: out }) => {
          const text = JSON.stringify(out);
          response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text) });
          response.end(text);
        }, () => response.destroy());
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
