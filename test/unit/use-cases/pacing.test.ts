import { randomUUID } from 'node:crypto';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureOrganization } from '../../../lambdas/adapters/organization-repository.js';
import { countQueued } from '../../../lambdas/adapters/slot-queue.js';
import { readSlots } from '../../../lambdas/adapters/slots.js';
import type { OrganizationSettingsPatch } from '../../../lambdas/schemas/organization.js';
import type { TaskOutput } from '../../../lambdas/schemas/state-machine.js';
import { updateOrganizationSettings } from '../../../lambdas/use-cases/organizations.js';
import {
  type PacedAttempt,
  releaseSlotOf,
  takeSlotOrQueue,
} from '../../../lambdas/use-cases/pacing.js';
import { sweepSlots } from '../../../lambdas/use-cases/slot-handoff.js';
import { aRun, type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';

const sfn = mockClient(SFNClient);
let table: InMemoryTable;
/** Tokens completed, in order, with what they were completed with. */
let completed: Array<{ token: string; output: TaskOutput }>;
/** Tokens whose run no longer waits (stopped, cancelled): completing them fails. */
let stale: Set<string>;

const now = new Date('2026-11-23T18:00:00.000Z');
const DAY = 86_400_000;

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  completed = [];
  stale = new Set();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
    if (stale.has(input.taskToken)) {
      const error = new Error('gone');
      error.name = 'TaskDoesNotExist';
      throw error;
    }
    completed.push({ token: input.taskToken, output: JSON.parse(input.output) });
    return {};
  });
});

async function anOrganization(settings: OrganizationSettingsPatch): Promise<string> {
  const organizationId = await ensureOrganization(`paced-${randomUUID()}`, now);
  await updateOrganizationSettings(organizationId, settings, now);
  return organizationId;
}

/** A call attempt of a fresh run of the organization, its token named after `name`. */
function anAttempt(
  organizationId: string,
  name: string,
  options: { priorityDate?: Date; windowClosesAt?: Date } = {}
): PacedAttempt {
  const execution = aRun({
    organizationId,
    priorityDate: (options.priorityDate ?? now).toISOString(),
  });
  return {
    execution,
    stepIndex: 0,
    attemptNo: 1,
    attemptId: randomUUID(),
    taskToken: name,
    windowClosesAt: options.windowClosesAt ?? new Date(now.getTime() + 3600_000),
  };
}

async function heldCount(organizationId: string, kind: 'CALL' | 'TEXT' = 'CALL') {
  return Object.keys((await readSlots(organizationId, kind)).holders).length;
}

/** The attempt a completed token belongs to. */
function byToken(attempts: PacedAttempt[], token: string): PacedAttempt {
  const found = attempts.find((attempt) => attempt.taskToken === token);
  if (!found) throw new Error(`no attempt with token ${token}`);
  return found;
}

describe('taking a slot', () => {
  it('never gives out more slots than the cap, however many Dispatches race', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 3 });
    const attempts = Array.from({ length: 12 }, (_, i) => anAttempt(organizationId, `t${i}`));
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
    const organizationId = await anOrganization({ maxConcurrentCalls: 1, maxConcurrentTexts: 1 });
    expect(await takeSlotOrQueue(anAttempt(organizationId, 'call'), now)).toBe('held');
    const text = anAttempt(organizationId, 'text');
    text.stepIndex = 1; // the fixture's second step is a TEXT
    expect(await takeSlotOrQueue(text, now)).toBe('held');
    expect(await heldCount(organizationId, 'TEXT')).toBe(1);
  });
});

describe('handing a released slot to the queue', () => {
  it('hands it straight to the newest priorityDate, which goes back to Dispatch', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 });
    const first = anAttempt(organizationId, 'first');
    expect(await takeSlotOrQueue(first, now)).toBe('held');
    const old = anAttempt(organizationId, 'old', { priorityDate: new Date(now.getTime() - DAY) });
    const recent = anAttempt(organizationId, 'recent');
    expect(await takeSlotOrQueue(old, now)).toBe('queued');
    expect(await takeSlotOrQueue(recent, now)).toBe('queued');

    await releaseSlotOf(first.execution, 0, first.attemptId, now);
    expect(completed).toEqual([
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
    expect(completed).toHaveLength(1);
    expect(await countQueued(organizationId, 'CALL')).toBe(1);
  });

  it('skips a queued run that no longer waits, and gives its slot to the next', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 });
    const first = anAttempt(organizationId, 'first');
    await takeSlotOrQueue(first, now);
    const cancelled = anAttempt(organizationId, 'cancelled');
    const next = anAttempt(organizationId, 'next', { priorityDate: new Date(now.getTime() - DAY) });
    await takeSlotOrQueue(cancelled, now);
    await takeSlotOrQueue(next, now);
    stale.add('cancelled');
    await releaseSlotOf(first.execution, 0, first.attemptId, now);
    expect(completed.map(({ token }) => token)).toEqual(['next']);
    expect(Object.keys((await readSlots(organizationId, 'CALL')).holders)).toEqual([
      next.attemptId,
    ]);
  });

  it('sends a run whose window closed while it waited back to re-plan, without a slot', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 1 });
    const first = anAttempt(organizationId, 'first');
    await takeSlotOrQueue(first, now);
    const closing = anAttempt(organizationId, 'closing', {
      windowClosesAt: new Date(now.getTime() + 60_000),
    });
    const open = anAttempt(organizationId, 'open', { priorityDate: new Date(now.getTime() - DAY) });
    await takeSlotOrQueue(closing, now);
    await takeSlotOrQueue(open, now);
    const later = new Date(now.getTime() + 120_000);
    await releaseSlotOf(first.execution, 0, first.attemptId, later);
    // Both go back to Dispatch: the closed one re-plans there (it holds no slot), the other runs.
    expect(completed.map(({ token }) => token)).toEqual(['closing', 'open']);
    expect(Object.keys((await readSlots(organizationId, 'CALL')).holders)).toEqual([
      open.attemptId,
    ]);
  });
});

describe('priority buckets', () => {
  it('shares slots 60/30/10 between age buckets, newest first inside each', async () => {
    const organizationId = await anOrganization({
      maxConcurrentCalls: 1,
      priorityDateBucketConfig: {
        enabled: true,
        buckets: [
          { minDays: 0, maxDays: 7, percentage: 60 },
          { minDays: 8, maxDays: 30, percentage: 30 },
          { minDays: 31, maxDays: null, percentage: 10 },
        ],
      },
    });
    const holder = anAttempt(organizationId, 'holder');
    await takeSlotOrQueue(holder, now);
    const ages = [1, 10, 60];
    const queued = ages.flatMap((age) =>
      Array.from({ length: 40 }, (_, i) =>
        anAttempt(organizationId, `age${age}-${i}`, {
          priorityDate: new Date(now.getTime() - age * DAY - i * 60_000),
        })
      )
    );
    for (const attempt of queued) await takeSlotOrQueue(attempt, now);

    let current = holder;
    for (let handed = 0; handed < 50; handed++) {
      await releaseSlotOf(current.execution, 0, current.attemptId, now);
      const last = completed.at(-1);
      if (!last) throw new Error('nothing handed over');
      current = byToken(queued, last.token);
    }
    const shares = ages.map(
      (age) => completed.filter(({ token }) => token.startsWith(`age${age}-`)).length
    );
    expect(shares).toEqual([30, 15, 5]);
    // Inside a bucket, the newest priorityDate first.
    const firstOfBucket = completed.find(({ token }) => token.startsWith('age1-'));
    expect(firstOfBucket?.token).toBe('age1-0');
  });
});

describe('leases', () => {
  it('takes back slots whose lease ended and hands them to queued runs in the sweep', async () => {
    const organizationId = await anOrganization({ maxConcurrentCalls: 2 });
    const lost = [anAttempt(organizationId, 'lost1'), anAttempt(organizationId, 'lost2')];
    for (const attempt of lost) expect(await takeSlotOrQueue(attempt, now)).toBe('held');
    const waiting = anAttempt(organizationId, 'waiting', {
      windowClosesAt: new Date(now.getTime() + 3 * 3600_000),
    });
    expect(await takeSlotOrQueue(waiting, now)).toBe('queued');

    // The sweep sees every organization's slots (earlier cases' too): only this one's count.
    const ours = () =>
      completed
        .map(({ token }) => token)
        .filter((token) => ['waiting', 'lost1', 'lost2'].includes(token));
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
