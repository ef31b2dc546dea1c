import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildRuntime {
  url: string;
  apiKey: string;
  resumed: number;
  child: ChildProcess;
  /** Everything the process wrote to stderr, for failure messages. */
  stderr(): string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * `npm start` as a separate process (node with tsx, no npm or tsx wrapper in between, so a
 * signal reaches the runtime itself). Resolves once it prints its URL and key.
 */
export async function startChildRuntime(env: Record<string, string>): Promise<ChildRuntime> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    cwd: root,
    // State law off: these runs must dispatch at any hour of the real clock (see local-api.ts).
    env: {
      ...process.env,
      PORT: '0',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      STATE_CALLING_RULES: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const ready = new Promise<ChildRuntime>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
      const url = /running at (\S+)\/api\/v1/.exec(stdout)?.[1];
      const apiKey = /Development API key: (\S+)/.exec(stdout)?.[1];
      const resumed = /resumed executions: (\d+)/.exec(stdout)?.[1];
      if (!url || !apiKey || resumed === undefined) return;
      resolve({
        url,
        apiKey,
        resumed: Number(resumed),
        child,
        stderr: () => stderr,
        async request(method, path, body) {
          const response = await fetch(`${url}${path}`, {
            method,
            headers: {
              'x-api-key': apiKey,
              ...(body !== undefined && { 'content-type': 'application/json' }),
            },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await response.text();
          return { status: response.status, body: text ? JSON.parse(text) : undefined };
        },
      });
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`npm start exited (${code ?? signal}) before it was ready:\n${stderr}`))
    );
  });
  return ready;
}

/** SIGKILL: no shutdown hook runs, exactly like a crash or `kill -9`. */
export async function killHard(runtime: ChildRuntime): Promise<void> {
  if (runtime.child.exitCode !== null || runtime.child.signalCode !== null) return;
  const exited = once(runtime.child, 'exit');
  runtime.child.kill('SIGKILL');
  await exited;
}
