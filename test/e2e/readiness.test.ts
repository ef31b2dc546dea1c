import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../lambdas/adapters/organization-repository.js';
import { type ChildRuntime, killHard, startChildRuntime } from '../helpers/child-runtime.js';

const running: ChildRuntime[] = [];

afterAll(async () => {
  for (const runtime of running) await killHard(runtime);
});

/** A port nothing listens on right now, so the client can aim at it before the runtime binds. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

interface Shot {
  /** When the connection was accepted (performance.now). */
  connectedAt: number;
  status: number;
}

/** One GET on a new connection; undefined while nothing listens on the port. */
function shoot(port: number, apiKey: string): Promise<Shot | undefined> {
  return new Promise((resolve, reject) => {
    let connectedAt = Number.NaN;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/workflow?limit=1',
        agent: false,
        headers: { 'x-api-key': apiKey },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ connectedAt, status: res.statusCode ?? 0 }));
      }
    );
    req.on('socket', (socket) =>
      socket.once('connect', () => {
        connectedAt = performance.now();
      })
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNREFUSED' ? resolve(undefined) : reject(error)
    );
    req.end();
  });
}

describe('npm start answers only once it is ready', () => {
  it('never answers 401 or 5xx to a client that fires the moment the port opens', async () => {
    const port = await freePort();
    const apiKey = generateApiKey();
    const shots: Shot[] = [];
    let readyAt = Number.POSITIVE_INFINITY;
    // Four clients retry every few milliseconds from before the process starts until a while
    // after it reports ready.
    const hammer = async () => {
      while (performance.now() < readyAt + 300) {
        const shot = await shoot(port, apiKey);
        if (shot) shots.push(shot);
        else await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    const clients = Promise.all([hammer(), hammer(), hammer(), hammer()]);
    const runtime = await startChildRuntime({
      PORT: String(port),
      API_KEY: apiKey,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'outreach-ready-')),
    }).finally(() => {
      readyAt = performance.now();
    });
    running.push(runtime);
    await clients;

    expect(shots.filter((shot) => shot.status !== 200)).toEqual([]);
    // The race was really run: connections were accepted before the runtime said it was ready.
    expect(shots.some((shot) => shot.connectedAt < readyAt)).toBe(true);
  });
});
