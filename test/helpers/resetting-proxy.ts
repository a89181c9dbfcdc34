import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy in front of a local server that resets the connection of chosen requests. */
export interface ResettingProxy {
  /** `http://127.0.0.1:PORT`: give it to the client instead of the server's endpoint. */
  readonly endpoint: string;
  /** Requests whose connection was reset, by method and path. */
  readonly resets: readonly string[];
  close(): Promise<void>;
}

/** Resets the first `count` requests that `matches` accepts. */
export interface ResetRule {
  readonly matches: (request: IncomingMessage) => boolean;
  readonly count: number;
}

/**
 * Forwards every request to `target`, except those a rule picks: their TCP connection is reset (RST) before any
 * answer, so the client sees ECONNRESET, a network fault with no HTTP status, as a dropped connection or a
 * restarting load balancer would cause. The request never reaches the server.
 *
 * @example
 * const proxy = await startResettingProxy(sim.endpoint, [{ matches: (r) => r.method === 'GET' && r.url === '/clusters/c1', count: 3 }]);
 * const eks = new EKSClient({ endpoint: proxy.endpoint, region: 'us-east-1', credentials });
 */
export async function startResettingProxy(target: string, rules: readonly ResetRule[]): Promise<ResettingProxy> {
  const used = rules.map(() => 0);
  const upstream = new URL(target);
  const resets: string[] = [];
  const server = createServer((request, response) => {
    const rule = rules.findIndex((r, i) => used[i]! < r.count && r.matches(request));
    if (rule >= 0) {
      used[rule]! += 1;
      resets.push(`${request.method ?? ''} ${request.url ?? ''}`);
      request.socket.resetAndDestroy();
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    resets,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
