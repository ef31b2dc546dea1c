import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { LambdaRuntime } from '../../../local/lambda-runtime.js';
import { gates } from '../../helpers/logging-handler.js';

let stdout: MockInstance;

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stdout.mockRestore();
});

function logLines(): Array<Record<string, unknown>> {
  return stdout.mock.calls
    .flatMap(([chunk]) => String(chunk).split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('LambdaRuntime', () => {
  it('keeps each overlapping invocation’s log keys its own, as Lambda does', async () => {
    const runtime = new LambdaRuntime(
      new Map([
        [
          'Logging',
          { logicalId: 'Logging', entry: 'test/helpers/logging-handler.ts', environment: {} },
        ],
      ])
    );
    await runtime.load();
    let release: () => void = () => {};
    gates.set(
      'first',
      new Promise<void>((resolve) => {
        release = resolve;
      })
    );

    // The first waits while the second runs start to end (and resets its keys when it ends).
    const first = runtime.invoke('Logging', { executionId: 'first' });
    await runtime.invoke('Logging', { executionId: 'second' });
    release();
    await first;

    const lines = logLines();
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.executionId).toBe(line.expected);
    expect(new Set(lines.map((line) => line.function_request_id)).size).toBe(2);
  });
});
