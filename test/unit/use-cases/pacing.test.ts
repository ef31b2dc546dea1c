import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countQueued } from '../../../lambdas/adapters/slot-queue.js';
import { readSlots } from '../../../lambdas/adapters/slots.js';
import {
  type PacedAttempt,
  releaseSlotOf,
  takeSlotOrQueue,
} from '../../../lambdas/use-cases/pacing.js';
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
const DAY = 86_400_000;

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  tokens.restore();
  await table.close();
});

beforeEach(() => tokens.reset());

const completedTokens = () => tokens.completed.map(({ token }) => token);

/** The attempt a completed token belongs to. */
function byToken(attempts: PacedAttempt[], token: string): PacedAttempt {
  const found = attempts.find((attempt) => attempt.taskToken === token);
  if (!found) throw new Error(`no attempt with token ${token}`);
  return found;
}

describe('taking a slot', () => {
  it('never gives out more slots than the cap, however many Dispatches race', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 3 }, now);
    const attempts = Array.from({ length: 12 }, (_, i) => anAttempt(organizationId, `t${i}`, now));
    const answers = await Promise.all(attempts.map((attempt) => takeSlotOrQueue(attempt, now)));
    expect(answers.filter((answer) => answer === 'held')).toHaveLength(3);
    expect(answers.filter((answer) => answer === 'queued')).toHaveLength(9);
    expect(await heldCount(organizationId)).toBe(3);
    expect(await countQueued(organizationId, 'CALL')).toBe(9);
    // A retried Dispatch of a holder finds its slot, and takes no second one.
    const holder = attempts[answers.indexOf('held')] as PacedAttempt;
    expect(await takeSlotOrQueue(holder, now)).toBe('held');
    expect(await heldCount(organizationId)).toBe(3);
  });

  it('paces calls and texts apart', async () => {
    const organizationId = await anOrganization(
      { maxConcurrentCalls: 1, maxConcurrentTexts: 1 },
      now
    );
    expect(await takeSlotOrQueue(anAttempt(organizationId, 'call', now), now)).toBe('held');
    const text = anAttempt(organizationId, 'text', now);
    text.stepIndex = 1; // the fixture's second step is a TEXT
    expect(await takeSlotOrQueue(text, now)).toBe('held');
    expect(await heldCount(organizationId, 'TEXT')).toBe(1);
  });
});

describe('handing a released slot to the queue', () => {
  it('hands it straight to the newest priorityDate, which goes back to Dispatch', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 }, now);
    const first = anAttempt(organizationId, 'first', now);
    expect(await takeSlotOrQueue(first, now)).toBe('held');
    const old = anAttempt(organizationId, 'old', now, {
      priorityDate: new Date(now.getTime() - DAY),
    });
    const recent = anAttempt(organizationId, 'recent', now);
    expect(await takeSlotOrQueue(old, now)).toBe('queued');
    expect(await takeSlotOrQueue(recent, now)).toBe('queued');

    await releaseSlotOf(first.execution, 0, first.attemptId, now);
    expect(tokens.completed).toEqual([
      {
        token: 'recent',
        output: { action: 'DISPATCH', stepIndex: 0, waitUntil: now.toISOString() },
      },
    ]);
    // The slot moved to the run it was handed to: its Dispatch finds it held.
    expect(Object.keys((await readSlots(organizationId, 'CALL')).holders)).toEqual([
      recent.attemptId,
    ]);
    expect(await takeSlotOrQueue(recent, now)).toBe('held');
    // A second release of the same attempt frees nothing.
    await releaseSlotOf(first.execution, 0, first.attemptId, now);
    expect(tokens.completed).toHaveLength(1);
    expect(await countQueued(organizationId, 'CALL')).toBe(1);
  });

  it('skips a queued run that no longer waits, and gives its slot to the next', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 }, now);
    const first = anAttempt(organizationId, 'first', now);
    await takeSlotOrQueue(first, now);
    const cancelled = anAttempt(organizationId, 'cancelled', now);
    const next = anAttempt(organizationId, 'next', now, {
      priorityDate: new Date(now.getTime() - DAY),
    });
    await takeSlotOrQueue(cancelled, now);
    await takeSlotOrQueue(next, now);
    tokens.stale.add('cancelled');
    await releaseSlotOf(first.execution, 0, first.attemptId, now);
    expect(completedTokens()).toEqual(['next']);
    expect(Object.keys((await readSlots(organizationId, 'CALL')).holders)).toEqual([
      next.attemptId,
    ]);
  });

  it('sends a run whose window closed while it waited back to re-plan, without a slot', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 }, now);
    const first = anAttempt(organizationId, 'first', now);
    await takeSlotOrQueue(first, now);
    const closing = anAttempt(organizationId, 'closing', now, {
      windowClosesAt: new Date(now.getTime() + 60_000),
    });
    const open = anAttempt(organizationId, 'open', now, {
      priorityDate: new Date(now.getTime() - DAY),
    });
    await takeSlotOrQueue(closing, now);
    await takeSlotOrQueue(open, now);
    const later = new Date(now.getTime() + 120_000);
    await releaseSlotOf(first.execution, 0, first.attemptId, later);
    // Both go back to Dispatch: the closed one re-plans there (it holds no slot), the other runs.
    expect(completedTokens()).toEqual(['closing', 'open']);
    expect(Object.keys((await readSlots(organizationId, 'CALL')).holders)).toEqual([
      open.attemptId,
    ]);
  });
});

describe('priority buckets', () => {
  it('shares slots 60/30/10 between age buckets, newest first inside each', async () => {
    const organizationId = await anOrganization(
      {
        maxConcurrentCalls: 1,
        priorityDateBucketConfig: {
          enabled: true,
          buckets: [
            { minDays: 0, maxDays: 7, percentage: 60 },
            { minDays: 8, maxDays: 30, percentage: 30 },
            { minDays: 31, maxDays: null, percentage: 10 },
          ],
        },
      },
      now
    );
    const holder = anAttempt(organizationId, 'holder', now);
    await takeSlotOrQueue(holder, now);
    const ages = [1, 10, 60];
    const queued = ages.flatMap((age) =>
      Array.from({ length: 40 }, (_, i) =>
        anAttempt(organizationId, `age${age}-${i}`, now, {
          priorityDate: new Date(now.getTime() - age * DAY - i * 60_000),
        })
      )
    );
    for (const attempt of queued) await takeSlotOrQueue(attempt, now);

    let current = holder;
    for (let handed = 0; handed < 50; handed++) {
      await releaseSlotOf(current.execution, 0, current.attemptId, now);
      const last = tokens.completed.at(-1);
      if (!last) throw new Error('nothing handed over');
      current = byToken(queued, last.token);
    }
    const shares = ages.map(
      (age) => tokens.completed.filter(({ token }) => token.startsWith(`age${age}-`)).length
    );
    expect(shares).toEqual([30, 15, 5]);
    // Inside a bucket, the newest priorityDate first.
    const firstOfBucket = tokens.completed.find(({ token }) => token.startsWith('age1-'));
    expect(firstOfBucket?.token).toBe('age1-0');
  });
});

describe('leases', () => {
  it('takes back slots whose lease ended and hands them to queued runs in the sweep', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 2 }, now);
    const lost = [anAttempt(organizationId, 'lost1', now), anAttempt(organizationId, 'lost2', now)];
    for (const attempt of lost) expect(await takeSlotOrQueue(attempt, now)).toBe('held');
    const waiting = anAttempt(organizationId, 'waiting', now, {
      windowClosesAt: new Date(now.getTime() + 3 * 3600_000),
    });
    expect(await takeSlotOrQueue(waiting, now)).toBe('queued');

    // The sweep sees every organization's slots (earlier cases' too): only this one's count.
    const ours = () =>
      completedTokens().filter((token) => ['waiting', 'lost1', 'lost2'].includes(token));
    // Nothing moves while the leases run (the default lease is 30 minutes).
    await sweepSlots(new Date(now.getTime() + 29 * 60_000));
    expect(ours()).toEqual([]);
    await sweepSlots(new Date(now.getTime() + 31 * 60_000));
    expect(ours()).toEqual(['waiting']);
    expect(Object.keys((await readSlots(organizationId, 'CALL')).holders)).toEqual([
      waiting.attemptId,
    ]);
    // A late outcome of a lost attempt frees nothing: its slot was taken back already.
    await releaseSlotOf(lost[0]?.execution as never, 0, lost[0]?.attemptId as string, now);
    expect(await heldCount(organizationId)).toBe(1);
  });
});
