import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { observability } from '../../../lambdas/handlers/observability.js';
import { addLogContext, logger, maskPhone } from '../../../lambdas/shared/logger.js';

let stdout: MockInstance;

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stdout.mockRestore();
});

/** The JSON log lines written so far. */
function logLines(): Array<Record<string, unknown>> {
  return stdout.mock.calls
    .flatMap(([chunk]) => String(chunk).split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function invoke(body: () => void): Promise<void> {
  return middy<unknown, void>()
    .use(observability())
    .handler(async () => body())({}, { awsRequestId: 'request-1' } as Context);
}

describe('logger context', () => {
  it('puts the ids an invocation appends on its lines, and drops them when it ends', async () => {
    await invoke(() => {
      addLogContext({ organizationId: 'org-1', executionId: 'run-1', workflowId: undefined });
      logger.info('inside');
    });
    await invoke(() => logger.info('next invocation'));

    const [inside, next] = logLines();
    expect(inside).toMatchObject({
      message: 'inside',
      organizationId: 'org-1',
      executionId: 'run-1',
    });
    expect(inside).not.toHaveProperty('workflowId');
    expect(next).toMatchObject({ message: 'next invocation' });
    expect(next).not.toHaveProperty('organizationId');
    expect(next).not.toHaveProperty('executionId');
  });

  it('drops them after a failed invocation too', async () => {
    await expect(
      invoke(() => {
        addLogContext({ stepExecutionId: 'step-1' });
        throw new Error('failed');
      })
    ).rejects.toThrow('failed');
    await invoke(() => logger.info('after the failure'));
    expect(logLines().at(-1)).not.toHaveProperty('stepExecutionId');
  });

  it('never logs the invocation event, even when POWERTOOLS_LOGGER_LOG_EVENT asks for it', async () => {
    // What POWERTOOLS_LOGGER_LOG_EVENT=true sets when the logger is built at cold start.
    const configured = logger as unknown as { logEvent: boolean };
    configured.logEvent = true;
    try {
      await middy<unknown, void>()
        .use(observability())
        .handler(async () => undefined)({ headers: { 'X-API-Key': 'secret-key' } }, {} as Context);
    } finally {
      configured.logEvent = false;
    }
    expect(JSON.stringify(stdout.mock.calls)).not.toContain('secret-key');
  });
});

describe('maskPhone', () => {
  it('keeps the country code and the last two digits only', () => {
    expect(maskPhone('+14155550123')).toBe('+1********23');
    expect(maskPhone('+1234')).toBe('*****');
  });
});
