import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, bootLocalApi, featherWorkflow } from '../helpers/local-api.js';

let api: ApiClient;
let port: number;

beforeAll(async () => {
  api = await bootLocalApi();
  port = Number(new URL(api.runtime.url).port);
});

afterAll(async () => {
  await api.runtime.stop();
});

const OVER_LIMIT = 10 * 1024 * 1024 + 1024;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The client port of the connection that carried the request. */
  localPort: number | undefined;
}

/** One request through node:http, which sends the path exactly as given. */
function send(
  method: string,
  path: string,
  options: { key?: boolean; agent?: Agent; body?: Buffer } = {}
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: options.agent ?? false,
        headers: {
          ...(options.key !== false && { 'x-api-key': api.runtime.apiKey }),
          ...(options.body && { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : {},
            localPort: res.socket?.localPort,
          })
        );
      }
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Writes raw bytes on a new connection and resolves with everything the server sent once it
 * closed the connection; a reset instead of a close rejects.
 */
function rawExchange(chunks: Array<string | Buffer>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
    for (const chunk of chunks) socket.write(chunk);
  });
}

function parseRaw(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    })
  );
  return { statusLine, headers, body: JSON.parse(body) };
}

function envelope(status: number, code: string) {
  return { status, code, message: expect.any(String), success: false };
}

describe('local API Gateway: malformed requests answer in the envelope', () => {
  const badPaths = ['/api/v1/workflow/%E0%A4%A', '/api/v1/workflow/%', '/api/v1/workflow/%zz'];

  it.each(badPaths)('answers %s with 400 BAD_REQUEST, with or without a key', async (path) => {
    for (const key of [true, false]) {
      const answer = await send('GET', path, { key });
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.body).toEqual(envelope(400, 'BAD_REQUEST'));
    }
  });

  it('still decodes well-formed percent-encoding in path parameters', async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const encoded = id.replace(/-/g, '%2D');
    const fetched = await send('GET', `/api/v1/workflow/${encoded}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.id).toBe(id);
  });

  const malformed: Array<[string, string]> = [
    ['a malformed request line', 'THIS IS NOT HTTP\r\n\r\n'],
    ['a space in the target', 'GET /api/v1/work flow HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a header without a colon', 'GET /api/v1/workflow HTTP/1.1\r\nHost: localhost\r\nBad\r\n\r\n'],
    [
      'a control character in a header value',
      'GET /api/v1/workflow HTTP/1.1\r\nHost: localhost\r\nX-Test: a\u0001b\r\n\r\n',
    ],
    ['a proxy CONNECT', 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n'],
  ];

  it.each(malformed)('answers %s with 400 in the envelope and closes', async (_label, bytes) => {
    const answer = parseRaw(await rawExchange([bytes]));
    expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toEqual(envelope(400, 'BAD_REQUEST'));
  });

  it('answers headers over the size limit with 431 in the envelope', async () => {
    const bytes = `GET /api/v1/workflow HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(32 * 1024)}\r\n\r\n`;
    const answer = parseRaw(await rawExchange([bytes]));
    expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(answer.body).toEqual(envelope(431, 'BAD_REQUEST'));
    expect(answer.body.message).toMatch(/header/i);
  });
});

describe('local API Gateway: bodies over 10 MB', () => {
  const head = (framing: string) =>
    `POST /api/v1/workflow HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${api.runtime.apiKey}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
  const slices = (total: number, size = 1024 * 1024) =>
    Array.from({ length: Math.ceil(total / size) }, (_, i) =>
      Buffer.alloc(Math.min(size, total - i * size), 'x')
    );

  it('answers a declared oversized body with 413, Connection: close, and closes cleanly', async () => {
    const raw = await rawExchange([head(`Content-Length: ${OVER_LIMIT}`), ...slices(OVER_LIMIT)]);
    const answer = parseRaw(raw);
    expect(answer.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));
  });

  it('answers a chunked body that grows past the limit with 413 and closes cleanly', async () => {
    const chunks = slices(OVER_LIMIT).map((slice) =>
      Buffer.concat([Buffer.from(`${slice.length.toString(16)}\r\n`), slice, Buffer.from('\r\n')])
    );
    const raw = await rawExchange([
      head('Transfer-Encoding: chunked'),
      ...chunks,
      Buffer.from('0\r\n\r\n'),
    ]);
    const answer = parseRaw(raw);
    expect(answer.statusLine).toBe('HTTP/1.1 413 Payload Too Large');
    expect(answer.headers.connection).toBe('close');
    expect(answer.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));
  });

  it('leaves other connections and later requests unharmed', async () => {
    const bystander = new Agent({ keepAlive: true, maxSockets: 1 });
    const uploader = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await send('GET', '/api/v1/workflow', { agent: bystander });
      expect(before.status).toBe(200);
      const upload = send('POST', '/api/v1/workflow', {
        agent: uploader,
        body: Buffer.alloc(OVER_LIMIT, 'x'),
      });
      const during = await send('GET', '/api/v1/workflow', { agent: bystander });
      expect(during.status).toBe(200);
      expect(during.localPort).toBe(before.localPort);
      const uploaded = await upload;
      expect(uploaded.status).toBe(413);
      expect(uploaded.headers.connection).toBe('close');
      expect(uploaded.body).toEqual(envelope(413, 'PAYLOAD_TOO_LARGE'));
      // The uploader's client opens a new connection for its next request.
      const next = await send('GET', '/api/v1/workflow', { agent: uploader });
      expect(next.status).toBe(200);
      expect(next.localPort).not.toBe(uploaded.localPort);
      const after = await send('GET', '/api/v1/workflow', { agent: bystander });
      expect(after.status).toBe(200);
      expect(after.localPort).toBe(before.localPort);
    } finally {
      bystander.destroy();
      uploader.destroy();
    }
  });
});
