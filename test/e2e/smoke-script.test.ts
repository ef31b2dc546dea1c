import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, bootLocalApi } from '../helpers/local-api.js';

/** `npm run smoke` against the local runtime (manual channel), as CI and operators run it. */

const root = fileURLToPath(new URL('../..', import.meta.url));
let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi();
});

afterAll(async () => {
  await api.runtime.stop();
});

function smoke(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/smoke.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

describe('npm run smoke', () => {
  it('runs the two-step example to COMPLETED and deletes what it created', async () => {
    const { code, output } = await smoke([
      '--url',
      `${api.runtime.url}/api/v1`,
      '--key',
      api.runtime.apiKey,
    ]);
    expect(output).toContain('the run COMPLETED with both steps');
    expect(output).toContain('Smoke test passed.');
    expect(code).toBe(0);
    const workflows = await api.request('GET', '/api/v1/workflow');
    expect(workflows.body.workflows).toEqual([]);
  }, 120_000);

  it('fails with the reason and a non-zero exit when the key is refused', async () => {
    const { code, output } = await smoke(['--url', api.runtime.url, '--key', 'not-a-key']);
    expect(output).toContain('SMOKE TEST FAILED: GET /api/v1/workflow?limit=1 answered 401');
    expect(code).toBe(1);
  }, 60_000);
});
