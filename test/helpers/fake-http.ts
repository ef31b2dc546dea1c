import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake providers share: a loopback server and injected refusals. */

export interface InjectedFailure {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type FakeHandler = (
  request: { method: string; url: URL; headers: IncomingMessage['headers']; body: string },
  response: ServerResponse
) => void;

export interface FakeServer {
  url: string;
  /** Requests that reached the fake, in order ("METHOD /path"). */
  requests: string[];
  /** The next `count` requests whose "METHOD /path" matches are answered with `failure`. */
  failNext(count: number, matching: RegExp, failure: InjectedFailure): void;
  close(): Promise<void>;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startFakeServer(handle: FakeHandler): Promise<FakeServer> {
  const requests: string[] = [];
  const failures: Array<{ count: number; matching: RegExp; failure: InjectedFailure }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const line = `${req.method} ${url.pathname}`;
      requests.push(line);
      const injected = failures.find((entry) => entry.count > 0 && entry.matching.test(line));
      if (injected) {
        injected.count--;
        res.writeHead(injected.failure.status, {
          'content-type': 'application/json',
          ...injected.failure.headers,
        });
        res.end(JSON.stringify(injected.failure.body));
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      handle({ method: req.method ?? 'GET', url, headers: req.headers, body }, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, matching, failure) {
      failures.push({ count, matching, failure });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
