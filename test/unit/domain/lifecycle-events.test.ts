import { describe, expect, it } from 'vitest';
import {
  lifecycleEventId,
  webhookRetryDelaySeconds,
} from '../../../lambdas/domain/lifecycle-events.js';
import {
  WEBHOOK_MAX_RECEIVES,
  WEBHOOK_RETRY_DELAYS_SECONDS,
} from '../../../lambdas/schemas/lifecycle-events.js';

describe('lifecycle event ids and retries', () => {
  const run = { executionId: 'exec-1', workflowId: 'wf-1' };

  it('derives the same id for the same happening, and another for anything else', () => {
    const created = { type: 'execution.created', organizationId: 'org', data: run } as const;
    expect(lifecycleEventId(created)).toBe(lifecycleEventId({ ...created }));
    const step = { type: 'step.completed', organizationId: 'org' } as const;
    const first = lifecycleEventId({ ...step, data: { ...run, stepExecutionId: 'a' } });
    const second = lifecycleEventId({ ...step, data: { ...run, stepExecutionId: 'b' } });
    expect(new Set([lifecycleEventId(created), first, second]).size).toBe(3);
  });

  it('backs off after each failed try, then gives up after the last delay', () => {
    const delays = Array.from({ length: WEBHOOK_MAX_RECEIVES - 1 }, (_, i) =>
      webhookRetryDelaySeconds(i + 1)
    );
    expect(delays).toEqual([...WEBHOOK_RETRY_DELAYS_SECONDS]);
    expect(delays.every((delay, i) => i === 0 || delay >= (delays[i - 1] as number))).toBe(true);
    expect(Math.max(...delays)).toBeLessThanOrEqual(12 * 3600);
  });
});
