import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureEmf, type EmfLine, published } from '../../helpers/emf.js';

// The test configuration turns metrics off; this file turns them back on before any import
// builds the Metrics instance.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_SERVICE_NAME = 'outreach-workflows';
});

const { observability } = await import('../../../lambdas/handlers/observability.js');
const counters = await import('../../../lambdas/shared/metrics.js');

let capture: { lines: EmfLine[]; stop(): void };

beforeEach(() => {
  capture = captureEmf();
});

afterEach(() => {
  capture.stop();
});

/** A handler with the project's middlewares that runs `body` as its invocation. */
function invoke(body: () => void | Promise<void>): Promise<void> {
  const handler = middy<unknown, void>()
    .use(observability())
    .handler(async () => body());
  return handler({}, {} as Context);
}

describe('metrics', () => {
  it('publishes the buffered counters once, when the invocation ends, under the namespace', async () => {
    await invoke(() => {
      counters.countExecutionCreated();
      counters.countExecutionCreated();
      counters.countStepDispatched();
      counters.countChannelFailure();
      expect(capture.lines).toEqual([]);
    });
    expect(capture.lines).toHaveLength(1);
    const [line] = capture.lines;
    expect(line).toMatchObject({ namespace: 'OutreachWorkflows', dimensions: [['service']] });
    expect(line?.values).toMatchObject({
      service: 'outreach-workflows',
      ExecutionsCreated: [1, 1],
      StepsDispatched: 1,
      ChannelFailures: 1,
    });
  });

  it('publishes an outcome both as a total and by disposition', async () => {
    await invoke(() => {
      counters.countOutcome('COULD_NOT_CONNECT');
      counters.countOutcome('CALENDLY');
    });
    expect(published(capture.lines, 'Outcomes')).toEqual(
      expect.arrayContaining([
        {
          dimensions: [['service', 'disposition']],
          value: 1,
          service: 'outreach-workflows',
          disposition: 'COULD_NOT_CONNECT',
        },
        {
          dimensions: [['service', 'disposition']],
          value: 1,
          service: 'outreach-workflows',
          disposition: 'CALENDLY',
        },
        { dimensions: [['service']], value: [1, 1], service: 'outreach-workflows' },
      ])
    );
    expect(published(capture.lines, 'Outcomes')).toHaveLength(3);
  });

  it('publishes deferrals by rule and reconciled runs by outcome', async () => {
    await invoke(() => {
      counters.countDeferral('tcpaSchedule');
      counters.countReconciledRun('failed');
    });
    expect(published(capture.lines, 'Deferrals')).toEqual([
      expect.objectContaining({ rule: 'tcpaSchedule', value: 1 }),
    ]);
    expect(published(capture.lines, 'ReconciledRuns')).toEqual([
      expect.objectContaining({ outcome: 'failed', value: 1 }),
    ]);
  });

  it('publishes the counts of an invocation that failed', async () => {
    await expect(
      invoke(() => {
        counters.countStepDispatched();
        throw new Error('channel down');
      })
    ).rejects.toThrow('channel down');
    expect(published(capture.lines, 'StepsDispatched')).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
  });

  it('writes nothing for an invocation that counted nothing', async () => {
    await invoke(() => undefined);
    expect(capture.lines).toEqual([]);
  });
});

describe('metrics with POWERTOOLS_METRICS_DISABLED=true (the local runtime)', () => {
  it('writes no EMF line', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    try {
      vi.resetModules();
      const local = await import('../../../lambdas/shared/metrics.js');
      local.countExecutionCreated();
      local.countOutcome('CALENDLY');
      local.metrics.publishStoredMetrics();
      expect(capture.lines).toEqual([]);
    } finally {
      process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    }
  });
});
