import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signWebhook } from '../../../lambdas/adapters/channels/webhook.js';
import { claimAttemptRecord } from '../../../lambdas/adapters/step-attempts.js';
import { keys } from '../../../lambdas/adapters/table-keys.js';
import { handler as dispatchHandler } from '../../../lambdas/handlers/dispatch-step.js';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import { alwaysOpenSchedule } from '../../../lambdas/schemas/schedule.js';
import type { TaskOutput } from '../../../lambdas/schemas/state-machine.js';
import type { StepAttempt } from '../../../lambdas/schemas/step-attempt.js';
import { ExecutionRegressedError } from '../../../lambdas/shared/errors.js';
import { dispatchStep, stepExecutionId } from '../../../lambdas/use-cases/dispatch-step.js';
import { anAttempt } from '../../helpers/execution-fixture.js';
import {
  aRun,
  beforeNext,
  getItem,
  type InMemoryTable,
  mustRead,
  readRun,
  recordCommands,
  rewriteItem,
  rewriteState,
  type SentCommand,
  seed,
  startTable,
  useSimulator,
} from '../../helpers/in-memory-table.js';

const DAY_MS = 86_400_000;
const sfn = mockClient(SFNClient);
let table: InMemoryTable;
let ledger: ReturnType<typeof useSimulator>;

beforeAll(async () => {
  table = await startTable();
  // The fixture's run starts at 07:00 in San Francisco, before federal quiet hours end; these
  // cases test dispatch mechanics against the workflow's schedules (the law has its own tests).
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
  ledger = useSimulator();
});

afterEach(() => {
  ledger.cleanup();
});

/** Tokens completed so far, with their outputs. */
function taskOutputs(): Array<{ token: string | undefined; output: TaskOutput }> {
  return sfn.commandCalls(SendTaskSuccessCommand).map((call) => ({
    token: call.args[0].input.taskToken,
    output: JSON.parse(call.args[0].input.output ?? 'null') as TaskOutput,
  }));
}

function contacted(): Array<{ stepExecutionId: string; executionId: string; stepIndex: number }> {
  return ledger.contacts().map((line) => JSON.parse(line));
}

/** A run created a minute ago (real clock: the simulator and the report use it), always open. */
function aFreshRun(overrides: Partial<Execution> = {}): Execution {
  const created = new Date(Date.now() - 60_000).toISOString();
  return aRun({ createdAt: created, updatedAt: created, priorityDate: created, ...overrides });
}

/** The first attempt of step 0 of `run`, claimed a few seconds after the run was created. */
function claimedAttempt(run: Execution, overrides: Partial<StepAttempt> = {}): StepAttempt {
  const startedAt = new Date(Date.parse(run.createdAt) + 5_000).toISOString();
  return anAttempt({
    id: stepExecutionId(run.id, 0, 1),
    taskToken: 'token-1',
    startedAt,
    handedOverAt: new Date(Date.parse(startedAt) + 1_000).toISOString(),
    ...overrides,
  });
}

/** A run in step 0 whose attempt is stored as given (RUNNING: the claim moved it there). */
function runWithAttempt(attempt: (run: Execution) => StepAttempt): Execution {
  const run = aFreshRun({ status: 'RUNNING', version: 2 });
  run.startedAt = new Date(Date.parse(run.createdAt) + 5_000).toISOString();
  run.attempts = { '0-1': attempt(run) };
  return run;
}

const isStateWrite = (command: SentCommand) =>
  (command.input.Key as { sk?: string } | undefined)?.sk === 'EXECUTION';
const isAttemptWrite = (command: SentCommand) =>
  String((command.input.Key as { sk?: string } | undefined)?.sk).startsWith('ATTEMPT#');

describe('dispatchStep with the simulator', () => {
  it('contacts once, records the handoff and the outcome, and moves the run to the next step', async () => {
    const run = await seed(aFreshRun());
    const now = new Date();
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, now);

    const id = stepExecutionId(run.id, 0, 1);
    expect(contacted()).toEqual([
      expect.objectContaining({ stepExecutionId: id, executionId: run.id, stepIndex: 0 }),
    ]);
    const stored = await mustRead(run.id);
    const attempt = stored.attempts['0-1'];
    expect(attempt).toMatchObject({
      id,
      stepIndex: 0,
      attemptNo: 1,
      channel: 'simulator',
      status: 'COMPLETED',
      disposition: 'NO_ANSWER',
      taskToken: 'token-1',
      startedAt: now.toISOString(),
      handedOverAt: expect.any(String),
      completedAt: expect.any(String),
      agentCall: expect.objectContaining({ callEndedReason: 'NO_ANSWER' }),
    });
    expect(await getItem(keys.stepExecution(id))).toMatchObject({
      executionId: run.id,
      organizationId: run.organizationId,
      stepIndex: 0,
      attemptNo: 1,
    });

    expect(stored).toMatchObject({ status: 'RUNNING', stepIndex: 1, startedAt: now.toISOString() });
    expect(stored.version).toBeGreaterThan(run.version);
    // The text is due a day after the call ended (the outcome is recorded as the call ends).
    const nextRunAt = Date.parse(stored.nextRunAt ?? '');
    expect(nextRunAt - Date.parse(attempt?.completedAt ?? '')).toBe(DAY_MS);
    const callEnded = Date.parse(attempt?.agentCall?.callEndedAt ?? '');
    expect(nextRunAt - callEnded).toBeGreaterThanOrEqual(DAY_MS);
    expect(nextRunAt - callEnded).toBeLessThan(DAY_MS + 5_000);
    expect(stored.schedule).toMatchObject({ stepIndex: 1, nextRunAt: stored.nextRunAt });

    expect(taskOutputs()).toEqual([
      {
        token: 'token-1',
        output: {
          action: 'STEP',
          stepIndex: 1,
          waitUntil: stored.nextRunAt,
          stepExecutionId: id,
          disposition: 'NO_ANSWER',
        },
      },
    ]);
  });

  it('does not contact a paused run; it parks it until resumed', async () => {
    const run = await seed(aFreshRun({ status: 'PAUSED', version: 4 }));
    const now = new Date();
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, now);

    expect(contacted()).toEqual([]);
    expect(await readRun(run.id)).toEqual(run);
    const [task, ...more] = taskOutputs();
    expect(more).toEqual([]);
    expect(task?.token).toBe('token-1');
    expect(task?.output).toMatchObject({
      action: 'PARK',
      stepIndex: 0,
      notNow: 'execution is PAUSED',
    });
  });

  it('loses to a pause that lands between its read and its claim: no contact', async () => {
    const run = await seed(aFreshRun());
    const pause = beforeNext(
      'UpdateItemCommand',
      () =>
        rewriteState(run.id, (state) => ({
          ...state,
          status: 'PAUSED',
          version: state.version + 1,
        })),
      isStateWrite
    );
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date());
    await pause.ran;

    expect(contacted()).toEqual([]);
    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({ status: 'PAUSED', stepIndex: 0, version: run.version + 1 });
    expect(stored.attempts).toEqual({});
    expect(taskOutputs()).toEqual([
      {
        token: 'token-1',
        output: expect.objectContaining({ action: 'PARK', notNow: 'execution is PAUSED' }),
      },
    ]);
  });

  it('outside every window, stores when the step may run and hands "not now" back', async () => {
    // Monday 2026-11-23 18:00Z is 13:00 in New York, but the workflow is closed on Mondays.
    const run = await seed(
      aRun({
        workflowSchedule: {
          ...structuredClone(alwaysOpenSchedule),
          monday: { enabled: false, timeRanges: [] },
        },
      })
    );
    const now = new Date('2026-11-23T18:00:00.000Z');
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, now);

    expect(contacted()).toEqual([]);
    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({
      status: 'CREATED',
      stepIndex: 0,
      // Tuesday 00:00 in New York, the workflow's zone.
      nextRunAt: '2026-11-24T05:00:00.000Z',
      schedule: {
        stepIndex: 0,
        nextRunAt: '2026-11-24T05:00:00.000Z',
        deferredBy: ['workflowSchedule, no contact on Monday in America/New_York'],
      },
    });
    expect(stored.attempts).toEqual({});
    expect(taskOutputs()).toEqual([
      {
        token: 'token-1',
        output: {
          action: 'STEP',
          stepIndex: 0,
          // Deferred to an opening: a place in the dispatch spread (60 s by default).
          waitUntil: expect.stringMatching(/^2026-11-24T05:00:[0-5]\d\.\d{3}Z$/),
          notNow: expect.stringContaining('not allowed before'),
        },
      },
    ]);
  });

  describe('after a crash between the claim and the recorded handoff', () => {
    it('contacts exactly once when the provider has no record of the attempt', async () => {
      const run = await seed(runWithAttempt((r) => claimedAttempt(r, { handedOverAt: undefined })));
      await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());

      const id = stepExecutionId(run.id, 0, 1);
      expect(contacted().map((contact) => contact.stepExecutionId)).toEqual([id]);
      const stored = await mustRead(run.id);
      expect(stored.attempts['0-1']).toMatchObject({
        handedOverAt: expect.any(String),
        taskToken: 'token-2',
        disposition: 'NO_ANSWER',
      });
      expect(stored.stepIndex).toBe(1);
      expect(taskOutputs()).toEqual([
        {
          token: 'token-2',
          output: expect.objectContaining({ action: 'STEP', stepIndex: 1, stepExecutionId: id }),
        },
      ]);
    });

    it('does not contact again when the provider already placed it', async () => {
      const run = await seed(runWithAttempt((r) => claimedAttempt(r, { handedOverAt: undefined })));
      const id = stepExecutionId(run.id, 0, 1);
      appendFileSync(
        ledger.file,
        `${JSON.stringify({ stepExecutionId: id, executionId: run.id, stepIndex: 0, at: run.createdAt })}\n`
      );
      await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());

      expect(contacted().map((contact) => contact.stepExecutionId)).toEqual([id]);
      const stored = await mustRead(run.id);
      expect(stored.attempts['0-1']).toMatchObject({
        handedOverAt: expect.any(String),
        disposition: 'NO_ANSWER',
      });
      expect(stored.stepIndex).toBe(1);
    });

    it('a real crash: the retry finds the contact and never places a second one', async () => {
      const run = await seed(aFreshRun());
      // The handoff write dies (the Lambda is killed right after the channel accepted).
      const crash = beforeNext(
        'UpdateItemCommand',
        async () => {
          throw new Error('Lambda killed');
        },
        isAttemptWrite
      );
      await expect(
        dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date())
      ).rejects.toThrow('Lambda killed');
      await expect(crash.ran).rejects.toThrow('Lambda killed');
      expect(contacted()).toHaveLength(1);
      expect((await mustRead(run.id)).attempts['0-1']?.handedOverAt).toBeUndefined();

      await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());
      expect(contacted()).toHaveLength(1);
      const stored = await mustRead(run.id);
      expect(stored.attempts['0-1']).toMatchObject({
        handedOverAt: expect.any(String),
        disposition: 'NO_ANSWER',
      });
      expect(taskOutputs()).toEqual([
        { token: 'token-2', output: expect.objectContaining({ action: 'STEP', stepIndex: 1 }) },
      ]);
    });
  });

  it('never contacts again for an attempt already handed over; it follows it to the outcome', async () => {
    const run = await seed(runWithAttempt((r) => claimedAttempt(r)));
    await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());

    expect(contacted()).toEqual([]);
    const stored = await mustRead(run.id);
    expect(stored.attempts['0-1']).toMatchObject({
      handedOverAt: run.attempts['0-1']?.handedOverAt,
      taskToken: 'token-2',
      disposition: 'NO_ANSWER',
    });
    expect(stored).toMatchObject({ status: 'RUNNING', stepIndex: 1 });
    expect(taskOutputs()).toEqual([
      {
        token: 'token-2',
        output: expect.objectContaining({
          action: 'STEP',
          stepIndex: 1,
          disposition: 'NO_ANSWER',
          stepExecutionId: stepExecutionId(run.id, 0, 1),
        }),
      },
    ]);
  });

  it('settles an outcome a crashed report left behind: the run advances, no contact', async () => {
    const run = runWithAttempt((r) =>
      claimedAttempt(r, {
        status: 'COMPLETED',
        disposition: 'NO_ANSWER',
        completedAt: new Date(Date.parse(r.createdAt) + 30_000).toISOString(),
      })
    );
    await seed(run);
    await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());

    expect(contacted()).toEqual([]);
    const completedAt = run.attempts['0-1']?.completedAt ?? '';
    const nextRunAt = new Date(Date.parse(completedAt) + DAY_MS).toISOString();
    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({ status: 'RUNNING', stepIndex: 1, nextRunAt });
    expect(stored.attempts['0-1']).toMatchObject({
      disposition: 'NO_ANSWER',
      completedAt,
      taskToken: 'token-1',
    });
    expect(taskOutputs()).toEqual([
      {
        token: 'token-2',
        output: {
          action: 'STEP',
          stepIndex: 1,
          waitUntil: nextRunAt,
          stepExecutionId: stepExecutionId(run.id, 0, 1),
        },
      },
    ]);
  });

  it.each([0, 1, 2])(
    'refuses a stored state that went back in time (dispatching step %i): no contact',
    async (stepIndex) => {
      const run = aFreshRun({ status: 'RUNNING', version: 2, stepIndex: 0 });
      const step0 = claimedAttempt(run, {
        status: 'COMPLETED',
        disposition: 'NO_ANSWER',
        completedAt: new Date(Date.parse(run.createdAt) + 30_000).toISOString(),
      });
      const step1 = claimedAttempt(run, {
        id: stepExecutionId(run.id, 1, 1),
        stepIndex: 1,
        taskToken: 'token-step-1',
      });
      run.attempts = { '0-1': step0, '1-1': step1 };
      await seed(run);

      await expect(
        dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex }, new Date())
      ).rejects.toBeInstanceOf(ExecutionRegressedError);
      expect(contacted()).toEqual([]);
      expect(taskOutputs()).toEqual([]);
      expect(await readRun(run.id)).toEqual(run);
    }
  );

  describe('a second claim of an attempt whose write-once item exists', () => {
    it('the attempt item appears between the read and the claim: the claim is refused', async () => {
      const run = await seed(aFreshRun());
      const other = claimedAttempt(run, { taskToken: 'token-other' });
      // Another Dispatch claimed the attempt and contacted; its state write was lost (the state
      // item still looks as this Dispatch read it), only the write-once attempt item remains.
      const rival = beforeNext(
        'UpdateItemCommand',
        async () => {
          expect(await claimAttemptRecord(run.id, other)).toBe(true);
          appendFileSync(
            ledger.file,
            `${JSON.stringify({ stepExecutionId: other.id, executionId: run.id, stepIndex: 0 })}\n`
          );
        },
        isStateWrite
      );
      await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date());
      await rival.ran;

      expect(contacted()).toHaveLength(1);
      const stored = await mustRead(run.id);
      expect(stored.attempts['0-1']).toMatchObject({
        startedAt: other.startedAt,
        handedOverAt: other.handedOverAt,
        disposition: 'NO_ANSWER',
      });
      expect(stored.stepIndex).toBe(1);
    });

    it('the state item at step 0 RUNNING shows no sign of it: no second contact', async () => {
      const run = await seed(runWithAttempt((r) => claimedAttempt(r)));
      // An older copy of the state item, written back over the claim.
      await rewriteState(run.id, (state) => ({ ...state, version: 1 }));
      await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());

      expect(contacted()).toEqual([]);
      const stored = await mustRead(run.id);
      expect(stored.attempts['0-1']).toMatchObject({
        startedAt: run.attempts['0-1']?.startedAt,
        disposition: 'NO_ANSWER',
      });
    });
  });
});

describe('a state item written back to CREATED over a claimed step', () => {
  /** The copy from before the first claim, written back after the attempt was handed over. */
  async function rolledBack(): Promise<Execution> {
    const run = await seed(runWithAttempt((r) => claimedAttempt(r)));
    await rewriteState(run.id, ({ startedAt: _s, ...state }) => ({
      ...state,
      status: 'CREATED',
      version: 1,
    }));
    return run;
  }

  it('never contacts again: Dispatch refuses the regressed state', async () => {
    const run = await rolledBack();
    for (const taskToken of ['token-2', 'token-3']) {
      await expect(
        dispatchStep({ taskToken, executionId: run.id, stepIndex: 0 }, new Date())
      ).rejects.toBeInstanceOf(ExecutionRegressedError);
    }
    expect(contacted()).toEqual([]);
  });

  // A CREATED state with a claimed attempt went back in time: refused, never re-dispatched.
  it('is moved on or refused, never handed the same step again', async () => {
    const run = await rolledBack();
    await dispatchStep(
      { taskToken: 'token-2', executionId: run.id, stepIndex: 0 },
      new Date()
    ).catch(() => undefined);
    await dispatchStep(
      { taskToken: 'token-3', executionId: run.id, stepIndex: 0 },
      new Date()
    ).catch(() => undefined);
    expect(taskOutputs().map((task) => task.output)).not.toContainEqual(
      expect.objectContaining({ action: 'STEP', stepIndex: 0 })
    );
  });
});

describe('the Dispatch handler', () => {
  it('rejects a malformed payload without touching the table', async () => {
    const recorder = recordCommands();
    try {
      await expect(
        dispatchHandler({ taskToken: '', executionId: 'nope', stepIndex: -1 }, {} as Context)
      ).rejects.toThrow();
      await expect(dispatchHandler({ executionId: randomUUID() }, {} as Context)).rejects.toThrow();
    } finally {
      recorder.stop();
    }
    expect(recorder.commands).toEqual([]);
    expect(taskOutputs()).toEqual([]);
    expect(contacted()).toEqual([]);
  });

  it('runs a well-formed payload through the use case', async () => {
    const run = await seed(aFreshRun());
    await dispatchHandler(
      { taskToken: 'token-1', executionId: run.id, stepIndex: 0 },
      {} as Context
    );
    expect(contacted()).toHaveLength(1);
    expect(taskOutputs()).toEqual([
      { token: 'token-1', output: expect.objectContaining({ action: 'STEP', stepIndex: 1 }) },
    ]);
  });
});

describe('dispatchStep with the webhook channel', () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let answer = 202;
  const PUBLIC_API_URL = 'https://outreach.example.test/prod';
  const SECRET = 'webhook-secret';
  const SECRET_ARN = 'arn:aws:secretsmanager:local-1:000000000000:secret:signing-AbCdEf';
  const secretsManager = mockClient(SecretsManagerClient);
  let server: Server;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    secretsManager.restore();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received.length = 0;
    answer = 202;
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: SECRET,
    });
    Object.assign(process.env, {
      OUTREACH_CHANNEL: 'webhook',
      AGENT_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      AGENT_WEBHOOK_SECRET_ARN: SECRET_ARN,
      PUBLIC_API_URL,
    });
  });

  it('POSTs the step once, signed, keyed by the attempt id, then waits for the agent', async () => {
    const run = await seed(aFreshRun());
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date());

    const id = stepExecutionId(run.id, 0, 1);
    expect(received).toHaveLength(1);
    const [post] = received;
    expect(post?.headers['idempotency-key']).toBe(id);
    expect(post?.headers['content-type']).toBe('application/json');
    const timestamp = String(post?.headers['x-outreach-timestamp']);
    expect(post?.headers['x-outreach-signature']).toBe(
      signWebhook(SECRET, timestamp, post?.body ?? '')
    );
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({
      stepExecutionId: id,
      executionId: run.id,
      workflowId: run.workflowId,
      step: { type: 'CALL', order: 1, agentId: 'CALL_AGENT_ID' },
      contact: { customerLeadId: 'contact-123', primaryPhone: '+14155550123', zipcode: '94107' },
      variables: { firstName: 'Jordan' },
      callbackUrl: `${PUBLIC_API_URL}/api/v1/step-executions/${id}/outcome`,
    });

    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({ status: 'RUNNING', stepIndex: 0 });
    expect(stored.attempts['0-1']).toMatchObject({
      id,
      channel: 'webhook',
      status: 'IN_PROGRESS',
      taskToken: 'token-1',
      handedOverAt: expect.any(String),
    });
    expect(stored.attempts['0-1']?.disposition).toBeUndefined();
    // The outcome comes from the agent: the token stays with the step.
    expect(taskOutputs()).toEqual([]);
    expect(contacted()).toEqual([]);
  });

  it('re-sends the same POST after a crash before the recorded handoff, never after', async () => {
    const run = await seed(aFreshRun());
    const id = stepExecutionId(run.id, 0, 1);
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date());
    expect(received).toHaveLength(1);
    // As if the process had died after the POST, before recording the handoff.
    await rewriteItem(
      keys.stepAttempt(run.id, 0, 1),
      ({ handedOverAt: _h, ...attempt }) => attempt
    );

    await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());
    expect(received.map((post) => post.headers['idempotency-key'])).toEqual([id, id]);
    expect(received[1]?.body).toBe(received[0]?.body);
    const second = received[1];
    expect(second?.headers['x-outreach-signature']).toBe(
      signWebhook(SECRET, String(second?.headers['x-outreach-timestamp']), second?.body ?? '')
    );
    const stored = await mustRead(run.id);
    expect(stored.attempts['0-1']).toMatchObject({
      taskToken: 'token-2',
      handedOverAt: expect.any(String),
    });

    // The handoff is recorded now: a restart only follows the attempt.
    await dispatchStep({ taskToken: 'token-3', executionId: run.id, stepIndex: 0 }, new Date());
    expect(received).toHaveLength(2);
    expect((await mustRead(run.id)).attempts['0-1']?.taskToken).toBe('token-3');
    expect(taskOutputs()).toEqual([]);
  });

  it('re-sends after a crash that hit the handoff write itself', async () => {
    const run = await seed(aFreshRun());
    beforeNext(
      'UpdateItemCommand',
      async () => {
        throw new Error('Lambda killed');
      },
      isAttemptWrite
    );
    await expect(
      dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date())
    ).rejects.toThrow('Lambda killed');
    await dispatchStep({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, new Date());

    const id = stepExecutionId(run.id, 0, 1);
    expect(received.map((post) => post.headers['idempotency-key'])).toEqual([id, id]);
    expect((await mustRead(run.id)).attempts['0-1']?.handedOverAt).toEqual(expect.any(String));
  });

  it('a signing secret it may not read ends the attempt as COULD_NOT_CONNECT, unsent', async () => {
    const unreadable = 'arn:aws:secretsmanager:local-1:000000000000:secret:other-AbCdEf';
    process.env.AGENT_WEBHOOK_SECRET_ARN = unreadable;
    secretsManager
      .on(GetSecretValueCommand, { SecretId: unreadable })
      .rejects(new Error('not authorized to perform secretsmanager:GetSecretValue'));
    const run = await seed(aFreshRun());
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date());

    expect(received).toEqual([]);
    expect((await mustRead(run.id)).attempts['0-1']).toMatchObject({
      status: 'FAILED',
      disposition: 'COULD_NOT_CONNECT',
      error: 'not authorized to perform secretsmanager:GetSecretValue',
    });
    expect(taskOutputs()).toEqual([
      { token: 'token-1', output: expect.objectContaining({ action: 'STEP', stepIndex: 1 }) },
    ]);
  });

  it('an agent that refuses the step ends the attempt as COULD_NOT_CONNECT and moves on', async () => {
    answer = 400;
    const run = await seed(aFreshRun());
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, new Date());

    const id = stepExecutionId(run.id, 0, 1);
    expect(received).toHaveLength(1);
    const stored = await mustRead(run.id);
    expect(stored.attempts['0-1']).toMatchObject({
      status: 'FAILED',
      disposition: 'COULD_NOT_CONNECT',
      error: 'agent endpoint answered 400',
    });
    expect(stored.attempts['0-1']?.handedOverAt).toBeUndefined();
    expect(stored).toMatchObject({ status: 'RUNNING', stepIndex: 1 });
    expect(taskOutputs()).toEqual([
      {
        token: 'token-1',
        output: expect.objectContaining({
          action: 'STEP',
          stepIndex: 1,
          stepExecutionId: id,
          disposition: 'COULD_NOT_CONNECT',
        }),
      },
    ]);
  });
});
