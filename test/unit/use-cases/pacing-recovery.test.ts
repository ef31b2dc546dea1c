import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { dynamo } from '../../../lambdas/adapters/aws-clients.js';
import {
  enqueueAttempt,
  markGranted,
  type QueuedAttempt,
  readQueue,
} from '../../../lambdas/adapters/slot-queue.js';
import { createSlots, readSlots, takeSlots } from '../../../lambdas/adapters/slots.js';
import { updateOrganizationSettings } from '../../../lambdas/use-cases/organizations.js';
import { takeSlotOrQueue } from '../../../lambdas/use-cases/pacing.js';
import { sweepSlots } from '../../../lambdas/use-cases/slot-sweep.js';
import { type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';
import {
  anAttempt,
  anOrganization,
  heldCount,
  mockTaskTokens,
} from '../../helpers/pacing-fixture.js';

const tokens = mockTaskTokens();
let table: InMemoryTable;
const now = new Date('2026-11-23T18:00:00.000Z');
const MINUTE = 60_000;
const later = (ms: number) => new Date(now.getTime() + ms);

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  tokens.restore();
  await table.close();
});

beforeEach(() => tokens.reset());

/** The sweep sees every organization's slots (earlier cases' too): only these tokens count. */
const completedOf = (names: string[]) =>
  tokens.completed.map(({ token }) => token).filter((token) => names.includes(token));

describe('writes that name many holders', () => {
  it('keep every expression under the 4 KB DynamoDB allows: 100 leases taken back, 60 handed out', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 100 }, now);
    const holders = Array.from({ length: 100 }, (_, i) => anAttempt(organizationId, `h${i}`, now));
    for (const holder of holders) expect(await takeSlotOrQueue(holder, now)).toBe('held');
    const waiting = Array.from({ length: 60 }, (_, i) =>
      anAttempt(organizationId, `w${i}`, now, { windowClosesAt: later(3 * 3600_000) })
    );
    for (const attempt of waiting) expect(await takeSlotOrQueue(attempt, now)).toBe('queued');

    const send = vi.spyOn(dynamo(), 'send');
    await sweepSlots(later(31 * MINUTE));
    const sizes = send.mock.calls.flatMap(([command]) => {
      const input = command.input as Record<string, unknown>;
      return [input.UpdateExpression, input.ConditionExpression, input.ExpressionAttributeNames]
        .filter((part) => part !== undefined)
        .map((part) => Buffer.byteLength(typeof part === 'string' ? part : JSON.stringify(part)));
    });
    send.mockRestore();
    expect(Math.max(...sizes)).toBeLessThan(4096);
    // All 100 lost leases came back, and 60 of the free slots went to the waiting runs.
    expect(completedOf(waiting.map((attempt) => attempt.taskToken)).sort()).toEqual(
      waiting.map((attempt) => attempt.taskToken).sort()
    );
    expect(await heldCount(organizationId)).toBe(60);
  });
});

describe('a queue item whose Dispatch was retried', () => {
  it('is granted only under the token it waits on now', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 }, now);
    const entry: QueuedAttempt = {
      executionId: randomUUID(),
      stepIndex: 0,
      attemptNo: 1,
      attemptId: randomUUID(),
      taskToken: 'first-try',
      bucket: 0,
      priorityDate: now.toISOString(),
      queuedAt: now.toISOString(),
      notAfter: later(3600_000).toISOString(),
    };
    await enqueueAttempt(organizationId, 'CALL', entry);
    await enqueueAttempt(organizationId, 'CALL', { ...entry, taskToken: 'retry' });
    expect(await markGranted(organizationId, 'CALL', entry, now)).toBe(false);
    expect(await markGranted(organizationId, 'CALL', { ...entry, taskToken: 'retry' }, now)).toBe(
      true
    );
  });
});

describe('the sweep', () => {
  it('finishes a hand-over that stopped after the slot was taken in the run name', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 }, now);
    const holder = anAttempt(organizationId, 'stopped-holder', now);
    await takeSlotOrQueue(holder, now);
    const waiting = anAttempt(organizationId, 'stopped-waiting', now);
    await takeSlotOrQueue(waiting, now);
    // A pump died between taking the slot for it and marking its queue item granted.
    await updateOrganizationSettings(organizationId, { maxConcurrentCalls: 2 }, now);
    await createSlots(organizationId, 'CALL');
    const { shares } = await readSlots(organizationId, 'CALL');
    const taken = await takeSlots(organizationId, 'CALL', {
      holderIds: [waiting.attemptId],
      leaseUntil: later(30 * MINUTE).getTime(),
      cap: 2,
      sharesRead: shares,
      sharesAfter: shares,
    });
    expect(taken).toBe(true);
    await sweepSlots(later(MINUTE));
    expect(completedOf(['stopped-waiting'])).toEqual([]);
    await sweepSlots(later(3 * MINUTE));
    expect(completedOf(['stopped-waiting'])).toEqual(['stopped-waiting']);
    expect(await readQueue(organizationId, 'CALL')).toEqual([]);
  });

  it('sends back runs queued in a bucket that no longer exists, to queue again', async () => {
    const buckets = [
      { minDays: 0, maxDays: 7, percentage: 50 },
      { minDays: 8, maxDays: null, percentage: 50 },
    ];
    const organizationId = await anOrganization(
      { maxConcurrentCalls: 1, priorityDateBucketConfig: { enabled: true, buckets } },
      now
    );
    await takeSlotOrQueue(anAttempt(organizationId, 'bucket-holder', now), now);
    const old = anAttempt(organizationId, 'old-bucket', now, {
      priorityDate: new Date(now.getTime() - 20 * 86_400_000),
    });
    expect(await takeSlotOrQueue(old, now)).toBe('queued');
    expect((await readQueue(organizationId, 'CALL'))[0]?.bucket).toBe(1);
    await updateOrganizationSettings(
      organizationId,
      { priorityDateBucketConfig: { enabled: false, buckets: [] } },
      now
    );
    await sweepSlots(later(MINUTE));
    expect(completedOf(['old-bucket'])).toEqual(['old-bucket']);
  });

  it('sends a run back before its Dispatch task would time out, however long its window', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 }, now);
    await takeSlotOrQueue(anAttempt(organizationId, 'long-holder', now), now);
    const patient = anAttempt(organizationId, 'patient', now, {
      windowClosesAt: later(10 * 86_400_000),
    });
    expect(await takeSlotOrQueue(patient, now)).toBe('queued');
    expect((await readQueue(organizationId, 'CALL'))[0]?.notAfter).toBe(
      later(23 * 3600_000).toISOString()
    );
    await sweepSlots(later(23 * 3600_000 + MINUTE));
    expect(completedOf(['patient'])).toEqual(['patient']);
  });
});
