import { randomUUID } from 'node:crypto';
import { SendTaskSuccessCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readContactGuard } from '../../../lambdas/adapters/contact-guards.js';
import { indexRunContact } from '../../../lambdas/adapters/contact-index.js';
import { keys } from '../../../lambdas/adapters/table-keys.js';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import type { TaskOutput } from '../../../lambdas/schemas/state-machine.js';
import { dispatchStep, stepExecutionId } from '../../../lambdas/use-cases/dispatch-step.js';
import { blockState, liftState } from '../../../lambdas/use-cases/emergency-stops.js';
import { reportStepOutcome } from '../../../lambdas/use-cases/report-outcome.js';
import {
  listOrganizationSuppressions,
  removeSuppression,
  suppressNumbers,
} from '../../../lambdas/use-cases/suppressions.js';
import {
  aRun,
  beforeNext,
  getItem,
  type InMemoryTable,
  mustRead,
  recordCommands,
  seed,
  startTable,
  useSimulator,
} from '../../helpers/in-memory-table.js';

const HOUR = 3_600_000;
const sfn = mockClient(SFNClient);
let table: InMemoryTable;
let ledger: ReturnType<typeof useSimulator>;

beforeAll(async () => {
  table = await startTable();
  // The channel's clock is real, so these cases run at any hour: they test caps, the list and
  // emergency stops at dispatch, not calling hours (the law has its own tests, with pinned clocks).
  process.env.STATE_CALLING_RULES = 'off';
});

afterAll(async () => {
  delete process.env.STATE_CALLING_RULES;
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(StopExecutionCommand).resolves({});
  ledger = useSimulator();
});

afterEach(() => {
  ledger.cleanup();
});

/** A run of `organizationId` for `phone`, created a minute ago (the simulator's clock is real). */
async function aRunFor(
  organizationId: string,
  phone: string,
  overrides: Partial<Execution> = {}
): Promise<Execution> {
  const created = new Date(Date.now() - 60_000).toISOString();
  const run = await seed(
    aRun({
      organizationId,
      workflowId: randomUUID(),
      primaryPhone: phone,
      createdAt: created,
      updatedAt: created,
      priorityDate: created,
      nextRunAt: created,
      ...overrides,
    })
  );
  await indexRunContact(run);
  return run;
}

function dispatch(run: Execution, now: Date, token = `token-${run.id}`) {
  return dispatchStep({ taskToken: token, executionId: run.id, stepIndex: 0 }, now);
}

function contactedRuns(): string[] {
  return ledger.contacts().map((line) => JSON.parse(line).executionId);
}

function outputOf(token: string): TaskOutput | undefined {
  const call = sfn
    .commandCalls(SendTaskSuccessCommand)
    .find((c) => c.args[0].input.taskToken === token);
  return call ? (JSON.parse(call.args[0].input.output ?? 'null') as TaskOutput) : undefined;
}

describe('attempt caps at dispatch', () => {
  it('contacts a number three times in 24 h across workflows, then defers the fourth without contacting', async () => {
    const org = randomUUID();
    const phone = '+14155550101';
    const t0 = Date.now();
    const runs = [];
    for (let i = 0; i < 4; i++) runs.push(await aRunFor(org, phone));
    for (const [i, run] of runs.slice(0, 3).entries()) await dispatch(run, new Date(t0 + i * HOUR));
    expect(contactedRuns()).toHaveLength(3);

    const fourth = runs[3] as Execution;
    await dispatch(fourth, new Date(t0 + 3 * HOUR));
    expect(contactedRuns()).toHaveLength(3);
    const freeAt = new Date(t0 + 24 * HOUR).toISOString();
    const stored = await mustRead(fourth.id);
    expect(stored.status).toBe('CREATED');
    expect(stored.nextRunAt).toBe(freeAt);
    expect(stored.schedule?.deferredBy[0]).toBe(
      `attempt cap: 3 in 24 h for ${phone}, next at ${freeAt}`
    );
    // The state machine's history names the rule, not the number.
    expect(outputOf(`token-${fourth.id}`)).toEqual({
      action: 'STEP',
      stepIndex: 0,
      waitUntil: freeAt,
      notNow: 'attempt cap',
    });

    // Once the oldest attempt has left the window, the run is contacted.
    await dispatch(fourth, new Date(t0 + 24 * HOUR), 'token-again');
    expect(contactedRuns()).toHaveLength(4);
  });

  it("applies the workflow's stricter cap", async () => {
    const org = randomUUID();
    const phone = '+14155550102';
    const t0 = Date.now();
    const first = await aRunFor(org, phone, { maxAttemptsPer24h: 1 });
    const second = await aRunFor(org, phone, { maxAttemptsPer24h: 1 });
    await dispatch(first, new Date(t0));
    await dispatch(second, new Date(t0 + HOUR));
    expect(contactedRuns()).toEqual([first.id]);
    expect((await mustRead(second.id)).schedule?.deferredBy[0]).toMatch(
      /^attempt cap: 1 in 24 h \(workflow\) for \+14155550102/
    );
  });

  it('lets no more than three of five runs racing for one number through', async () => {
    const org = randomUUID();
    const phone = '+14155550103';
    const runs = await Promise.all([1, 2, 3, 4, 5].map(() => aRunFor(org, phone)));
    const now = new Date();
    await Promise.all(runs.map((run) => dispatch(run, now)));
    expect(contactedRuns()).toHaveLength(3);
    const guard = await readContactGuard(org, phone);
    expect(Object.keys(guard.attempts)).toHaveLength(3);
  });

  it('a number suppressed between the guard read and the count is not contacted', async () => {
    const org = randomUUID();
    const phone = '+14155550112';
    const run = await aRunFor(org, phone);
    const isGuardWrite = (command: { input: Record<string, unknown> }) =>
      String((command.input.Key as { pk?: string } | undefined)?.pk).startsWith('GUARD#');
    const injected = beforeNext(
      'UpdateItemCommand',
      async () => void (await suppressNumbers(org, [phone], 'opted out meanwhile', new Date())),
      isGuardWrite
    );
    await dispatch(run, new Date());
    await injected.ran;
    expect(contactedRuns()).toEqual([]);
    expect(await mustRead(run.id)).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: 'suppression',
    });
    expect((await readContactGuard(org, phone)).attempts).toEqual({});
  });

  it('counts a retried dispatch of the same attempt once', async () => {
    const org = randomUUID();
    const phone = '+14155550104';
    const run = await aRunFor(org, phone);
    const now = new Date();
    await dispatch(run, now);
    await dispatch(run, now, 'token-retry');
    const guard = await readContactGuard(org, phone);
    expect(guard.attempts).toEqual({ [stepExecutionId(run.id, 0, 1)]: now.getTime() });
  });

  it('adds one strongly consistent read, one small query and one conditional write per attempt', async () => {
    const org = randomUUID();
    const phone = '+14155550105';
    const run = await aRunFor(org, phone);
    const recorder = recordCommands();
    await dispatch(run, new Date());
    recorder.stop();
    const added = recorder.commands.filter((command) => {
      const key = (command.input.Key ?? {}) as { pk?: string };
      const values = (command.input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
      return (
        String(key.pk).startsWith('GUARD#') ||
        Object.values(values).some((value) => value === 'EMERGENCYSTOP#')
      );
    });
    expect(added.map((command) => command.name).sort()).toEqual([
      'GetItemCommand',
      'QueryCommand',
      'UpdateItemCommand',
    ]);
    expect(added.find((c) => c.name === 'GetItemCommand')?.input.ConsistentRead).toBe(true);
    // Under 1 KB: the write costs 1 WRU, the strong read 1 RRU, the empty query 0.5 RRU.
    const guard = await getItem(keys.contactGuard(org, phone));
    expect(JSON.stringify(guard).length).toBeLessThan(1024);
  });
});

describe('do-not-contact', () => {
  it('a DNC outcome in one workflow cancels the number’s runs in every workflow and blocks contact', async () => {
    const org = randomUUID();
    const phone = '+14155550106';
    const inA = await aRunFor(org, phone);
    const inB = await aRunFor(org, phone);
    const elsewhere = await aRunFor(randomUUID(), phone);
    process.env.SIMULATOR_OUTCOME = 'DNC';
    await dispatch(inA, new Date());

    expect((await mustRead(inA.id)).disposition).toBe('DNC');
    const cancelled = await mustRead(inB.id);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelledBy: 'suppression' });
    expect(cancelled.error).toMatch(
      /^\+14155550106 is on the organization's do-not-contact list \(DNC outcome/
    );
    // From inside a run, the other runs end on their next plan: no StopExecution needed.
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    await dispatch(inB, new Date());
    expect(contactedRuns()).toEqual([inA.id]);
    // Another organization's list is its own.
    expect((await mustRead(elsewhere.id)).status).toBe('CREATED');
    const listed = await listOrganizationSuppressions(org, { limit: 10 });
    expect(listed.items).toEqual([
      expect.objectContaining({
        phoneNumber: phone,
        reason: expect.stringMatching(/^DNC outcome/),
      }),
    ]);
    expect((await listOrganizationSuppressions(randomUUID(), { limit: 10 })).items).toEqual([]);
  });

  it('a DNC reported through the API stops the other runs’ state machines', async () => {
    const org = randomUUID();
    const phone = '+14155550107';
    const inA = await aRunFor(org, phone);
    const inB = await aRunFor(org, phone);
    // The manual channel places the call and leaves the outcome to a report.
    process.env.OUTREACH_CHANNEL = 'manual';
    await dispatch(inA, new Date());
    const attemptId = stepExecutionId(inA.id, 0, 1);
    await reportStepOutcome({ stepExecutionId: attemptId, disposition: 'DNC' }, new Date());
    expect((await mustRead(inB.id)).status).toBe('CANCELLED');
    expect(sfn.commandCalls(StopExecutionCommand).map((c) => c.args[0].input.executionArn)).toEqual(
      [expect.stringContaining(inB.id)]
    );
  });

  it('cancels at dispatch a run whose number was listed after it was created, and lists, pages and removes numbers', async () => {
    const org = randomUUID();
    const phone = '+14155550108';
    const created = new Date(Date.now() - 60_000).toISOString();
    // Not in the contact index: only the check right before the contact can find it.
    const run = await seed(
      aRun({ organizationId: org, primaryPhone: phone, createdAt: created, nextRunAt: created })
    );
    const results = await suppressNumbers(
      org,
      [phone, '+14155550109', phone],
      'opted out',
      new Date()
    );
    expect(results.map((r) => r.added)).toEqual([true, true]);
    await dispatch(run, new Date());
    expect(contactedRuns()).toEqual([]);
    expect(await mustRead(run.id)).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: 'suppression',
      error: `${phone} is on the organization's do-not-contact list (opted out)`,
    });

    const first = await listOrganizationSuppressions(org, { limit: 1 });
    expect(first.items.map((s) => s.phoneNumber)).toEqual([phone]);
    const next = await listOrganizationSuppressions(org, {
      limit: 1,
      cursor: first.nextCursor ?? undefined,
    });
    expect(next.items.map((s) => s.phoneNumber)).toEqual(['+14155550109']);
    await removeSuppression(org, phone);
    await expect(removeSuppression(org, phone)).rejects.toMatchObject({ status: 404 });
    expect((await readContactGuard(org, phone)).suppression).toBeUndefined();
  });
});

describe('emergency stop per state', () => {
  it('makes a blocked state’s runs wait without contact, and lets them go once lifted', async () => {
    const org = randomUUID();
    const run = await aRunFor(org, '+14155550110', { state: 'LA' });
    const other = await aRunFor(org, '+14155550111', { state: 'TX' });
    expect((await blockState(org, 'LA', new Date())).map((stop) => stop.state)).toEqual(['LA']);
    const now = new Date();
    await dispatch(run, now);
    await dispatch(other, now);
    expect(contactedRuns()).toEqual([other.id]);
    const waiting = await mustRead(run.id);
    const recheck = new Date(now.getTime() + 15 * 60_000).toISOString();
    expect(waiting.status).toBe('CREATED');
    expect(waiting.nextRunAt).toBe(recheck);
    expect(waiting.schedule?.deferredBy[0]).toBe(
      `emergency stop: contact to LA blocked by the organization, re-checked at ${recheck}`
    );
    expect(await liftState(org, 'LA')).toEqual([]);
    await expect(liftState(org, 'LA')).rejects.toMatchObject({ status: 404 });
    await dispatch(run, new Date(now.getTime() + 15 * 60_000), 'token-after-lift');
    expect(contactedRuns()).toEqual([other.id, run.id]);
  });
});
