import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { signWebhook } from '../../../lambdas/adapters/channels/webhook.js';
import { keys } from '../../../lambdas/adapters/table-keys.js';
import { handler as dispatch } from '../../../lambdas/handlers/dispatch-step.js';
import { handler as markFailed } from '../../../lambdas/handlers/fail-execution.js';
import type { Execution, StepAttempt } from '../../../lambdas/schemas/execution.js';
import { reportStepOutcome } from '../../../lambdas/use-cases/report-outcome.js';
import { stepExecutionId } from '../../../lambdas/use-cases/run-steps.js';
import { alwaysOpen } from '../../helpers/local-api.js';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const context = {} as Context;
let ledger: string;

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  ledger = join(mkdtempSync(join(tmpdir(), 'outreach-handlers-')), 'contacts.jsonl');
  Object.assign(process.env, {
    TABLE_NAME: 'Outreach',
    STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:Outreach',
    AWS_REGION: 'us-east-1',
    OUTREACH_CHANNEL: 'simulator',
    SIMULATOR_DELAY_MS: '0',
    SIMULATOR_OUTCOME: 'NO_ANSWER',
    SIMULATOR_LEDGER_FILE: ledger,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
});

afterEach(() => {
  rmSync(ledger, { force: true });
});

function execution(overrides: Partial<Execution> = {}): Execution {
  const now = '2026-11-23T15:00:00.000Z';
  return {
    id: randomUUID(),
    organizationId: randomUUID(),
    workflowId: randomUUID(),
    status: 'RUNNING',
    customerLeadId: 'contact-123',
    primaryPhone: '+14155550123',
    zipcode: '94107',
    variables: { firstName: 'Jordan' },
    metadata: {},
    priorityDate: now,
    stepIndex: 0,
    nextRunAt: now,
    disposition: null,
    definition: {
      steps: [
        {
          id: randomUUID(),
          type: 'CALL',
          order: 1,
          delayInSecs: 0,
          agentId: 'CALL_AGENT_ID',
          leaveVoicemail: true,
          finishOn: ['CALENDLY'],
        },
        {
          id: randomUUID(),
          type: 'TEXT',
          order: 2,
          delayInSecs: 86_400,
          agentId: 'TEXT_AGENT_ID',
          leaveVoicemail: false,
          finishOn: [],
          initialMessage: 'Hi {{firstName}}',
        },
      ],
    },
    timezone: 'America/New_York',
    workflowSchedule: alwaysOpen,
    tcpaSchedule: alwaysOpen,
    attempts: {},
    createdAt: now,
    updatedAt: now,
    ...overrides,
  } as Execution;
}

function claimed(run: Execution, extra: Partial<StepAttempt> = {}): StepAttempt {
  return {
    id: stepExecutionId(run.id, 0, 1),
    stepIndex: 0,
    attemptNo: 1,
    status: 'IN_PROGRESS',
    channel: 'simulator',
    taskToken: 'old-token',
    startedAt: '2026-11-23T15:00:01.000Z',
    ...extra,
  };
}

/** The table as the handlers read it: the execution item and its step execution pointer. */
function storeHolds(run: Execution): void {
  dynamo
    .on(GetCommand, { Key: keys.execution(run.id) })
    .resolves({ Item: { ...keys.execution(run.id), ...run } });
  dynamo.on(GetCommand, { Key: keys.stepExecution(stepExecutionId(run.id, 0, 1)) }).resolves({
    Item: { executionId: run.id, organizationId: run.organizationId, key: '0-1' },
  });
  dynamo.on(UpdateCommand).resolves({});
  dynamo.on(PutCommand).resolves({});
}

function contacts(): string[] {
  try {
    return readFileSync(ledger, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

function updates(): string[] {
  return dynamo
    .commandCalls(UpdateCommand)
    .map((call) => call.args[0].input.UpdateExpression ?? '');
}

function taskOutputs(): Array<{ token?: string; output: any }> {
  return sfn.commandCalls(SendTaskSuccessCommand).map((call) => ({
    token: call.args[0].input.taskToken,
    output: JSON.parse(call.args[0].input.output ?? 'null'),
  }));
}

describe('Dispatch handler', () => {
  it('claims the attempt with one conditional write, contacts once and reports the outcome', async () => {
    const run = execution();
    storeHolds(run);
    // Reads after the claim see the claimed attempt.
    dynamo
      .on(GetCommand, { Key: keys.execution(run.id) })
      .resolvesOnce({ Item: run })
      .resolves({
        Item: { ...run, attempts: { '0-1': claimed(run, { taskToken: 'token-1' }) } },
      });
    await dispatch({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, context);

    expect(contacts()).toHaveLength(1);
    const claim = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(claim?.ConditionExpression).toContain('attribute_not_exists(attempts.#key)');
    expect(claim?.ConditionExpression).toContain('#status IN (:created, :running)');
    expect(updates()[1]).toContain('handedOverAt');
    // The outcome and the next step's schedule are one write; the token carries the plan.
    expect(updates()).toHaveLength(3);
    const [task] = taskOutputs();
    expect(task?.token).toBe('token-1');
    expect(task?.output).toMatchObject({
      action: 'STEP',
      stepIndex: 1,
      stepExecutionId: stepExecutionId(run.id, 0, 1),
      disposition: 'NO_ANSWER',
    });
    // The text is due a day after the call ended.
    const callEnded = dynamo.commandCalls(UpdateCommand)[2]?.args[0].input
      .ExpressionAttributeValues?.[':now'] as string;
    expect(Date.parse(task?.output.waitUntil) - Date.parse(callEnded)).toBe(86_400_000);
  });

  it('does not contact when a pause or cancel wins the claim', async () => {
    const run = execution();
    storeHolds(run);
    dynamo
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    dynamo
      .on(GetCommand, { Key: keys.execution(run.id) })
      .resolvesOnce({ Item: run })
      .resolves({ Item: { ...run, status: 'PAUSED' } });
    await dispatch({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, context);

    expect(contacts()).toEqual([]);
    const [task] = taskOutputs();
    expect(task?.output).toMatchObject({ action: 'STEP', notNow: 'execution is PAUSED' });
    // Paused: checked again after the 7-day cap.
    expect(Date.parse(task?.output.waitUntil) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
  });

  it('hands "not now" back without a claim when the step is outside every window', async () => {
    const closed = { ...alwaysOpen, monday: { enabled: false, timeRanges: [] } };
    // Monday 2026-11-23 in New York and San Francisco, with Mondays closed.
    const run = execution({ workflowSchedule: closed });
    storeHolds(run);
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-23T18:00:00.000Z') });
    try {
      await dispatch({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, context);
    } finally {
      vi.useRealTimers();
    }
    expect(contacts()).toEqual([]);
    // No claim: the only write records the new nextRunAt and why.
    expect(updates()).toEqual([expect.stringContaining('#schedule')]);
    expect(taskOutputs()[0]?.output).toMatchObject({
      action: 'STEP',
      stepIndex: 0,
      // Tuesday 00:00 in New York, the workflow's zone.
      waitUntil: '2026-11-24T05:00:00.000Z',
      notNow: expect.stringContaining('not allowed before'),
    });
  });

  it('after a crash between claim and handoff, contacts only if the provider has no record', async () => {
    const run = execution();
    run.attempts['0-1'] = claimed(run);
    storeHolds(run);
    await dispatch({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, context);
    expect(contacts()).toHaveLength(1);
    expect(updates()[0]).toContain('taskToken');
    expect(updates()).toContainEqual(expect.stringContaining('handedOverAt'));

    // The same crash, but the contact had reached the provider before it.
    dynamo.resetHistory();
    await dispatch({ taskToken: 'token-3', executionId: run.id, stepIndex: 0 }, context);
    expect(contacts()).toHaveLength(1);
    expect(updates()).toContainEqual(expect.stringContaining('handedOverAt'));
  });

  it('never contacts again for an attempt already handed over; it follows it to the outcome', async () => {
    const run = execution();
    run.attempts['0-1'] = claimed(run, { handedOverAt: '2026-11-23T15:00:02.000Z' });
    storeHolds(run);
    appendFileSync(ledger, '');
    await dispatch({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, context);
    expect(contacts()).toEqual([]);
    expect(updates()[0]).toContain('taskToken');
    expect(taskOutputs().map((t) => t.output.disposition)).toEqual(['NO_ANSWER']);
  });

  it('releases the token at once when the outcome is already recorded', async () => {
    const run = execution({ status: 'COMPLETED', disposition: 'CALENDLY' });
    run.attempts['0-1'] = claimed(run, {
      handedOverAt: '2026-11-23T15:00:02.000Z',
      status: 'COMPLETED',
      disposition: 'CALENDLY',
    });
    storeHolds(run);
    await dispatch({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, context);
    expect(contacts()).toEqual([]);
    expect(updates()).toEqual([]);
    expect(taskOutputs()).toEqual([
      {
        token: 'token-2',
        output: {
          action: 'FINISH',
          stepIndex: 0,
          waitUntil: expect.any(String),
          stepExecutionId: stepExecutionId(run.id, 0, 1),
        },
      },
    ]);
  });

  it('rejects a malformed payload so the state machine catches it', async () => {
    await expect(
      dispatch({ taskToken: '', executionId: 'nope', stepIndex: -1 }, context)
    ).rejects.toThrow();
    expect(dynamo.calls()).toHaveLength(0);
  });
});

describe('Dispatch handler with the webhook channel', () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let server: Server;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => {
    server.close();
  });

  beforeEach(() => {
    received.length = 0;
    Object.assign(process.env, {
      OUTREACH_CHANNEL: 'webhook',
      AGENT_WEBHOOK_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
      AGENT_WEBHOOK_SECRET: 'shh',
      PUBLIC_API_URL: 'https://api.example',
    });
  });

  it('POSTs the step once, signed, with the attempt id as idempotency key, then waits for the agent', async () => {
    const run = execution();
    storeHolds(run);
    await dispatch({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, context);

    expect(received).toHaveLength(1);
    const [post] = received;
    const attemptId = stepExecutionId(run.id, 0, 1);
    expect(post?.headers['idempotency-key']).toBe(attemptId);
    const timestamp = String(post?.headers['x-outreach-timestamp']);
    expect(post?.headers['x-outreach-signature']).toBe(
      signWebhook('shh', timestamp, post?.body ?? '')
    );
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({
      stepExecutionId: attemptId,
      callbackUrl: `https://api.example/api/v1/step-executions/${attemptId}/outcome`,
      contact: { primaryPhone: '+14155550123', zipcode: '94107' },
    });
    expect(updates()[1]).toContain('handedOverAt');
    // The outcome comes from the agent: the token stays with the step.
    expect(taskOutputs()).toEqual([]);
  });

  it('re-sends the same POST after a crash before the handoff was recorded, never after', async () => {
    const run = execution();
    run.attempts['0-1'] = claimed(run, { channel: 'webhook' });
    storeHolds(run);
    await dispatch({ taskToken: 'token-2', executionId: run.id, stepIndex: 0 }, context);
    expect(received.map((r) => r.headers['idempotency-key'])).toEqual([
      stepExecutionId(run.id, 0, 1),
    ]);

    received.length = 0;
    run.attempts['0-1'] = claimed(run, {
      channel: 'webhook',
      handedOverAt: '2026-11-23T15:00:02.000Z',
    });
    storeHolds(run);
    await dispatch({ taskToken: 'token-3', executionId: run.id, stepIndex: 0 }, context);
    expect(received).toEqual([]);
  });
});

describe('reportStepOutcome', () => {
  const now = new Date('2026-11-23T15:05:00.000Z');

  it('completes the run on a finishOn disposition in one write and tells the machine to finish', async () => {
    const run = execution();
    run.attempts['0-1'] = claimed(run, { taskToken: 'token-1' });
    storeHolds(run);
    const result = await reportStepOutcome(
      { stepExecutionId: stepExecutionId(run.id, 0, 1), disposition: 'CALENDLY' },
      now
    );
    expect(result.execution).toMatchObject({ status: 'COMPLETED', disposition: 'CALENDLY' });
    expect(updates()).toHaveLength(1);
    expect(updates()[0]).toContain('#status = :done');
    expect(taskOutputs()[0]?.output).toMatchObject({ action: 'FINISH', disposition: 'CALENDLY' });
  });

  it('advances to the next step and stores its schedule in the same write', async () => {
    const run = execution();
    run.attempts['0-1'] = claimed(run, { taskToken: 'token-1' });
    storeHolds(run);
    const result = await reportStepOutcome(
      { stepExecutionId: stepExecutionId(run.id, 0, 1), disposition: 'NO_ANSWER' },
      now
    );
    expect(result.execution.stepIndex).toBe(1);
    expect(updates()).toHaveLength(1);
    const values = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values?.[':nextIndex']).toBe(1);
    expect(values?.[':next']).toBe('2026-11-24T15:05:00.000Z');
    expect(values?.[':schedule']).toMatchObject({ stepIndex: 1, recipientZoneSource: 'zipcode' });
    expect(taskOutputs()[0]?.output).toMatchObject({
      action: 'STEP',
      stepIndex: 1,
      waitUntil: '2026-11-24T15:05:00.000Z',
    });
  });

  it('treats a second report as a no-op that re-sends the token', async () => {
    const run = execution({ status: 'COMPLETED', disposition: 'CALENDLY' });
    run.attempts['0-1'] = claimed(run, { disposition: 'CALENDLY', status: 'COMPLETED' });
    storeHolds(run);
    const result = await reportStepOutcome(
      { stepExecutionId: stepExecutionId(run.id, 0, 1), disposition: 'NO_ANSWER' },
      now
    );
    expect(result.duplicate).toBe(true);
    expect(updates()).toEqual([]);
    expect(taskOutputs()[0]?.output).toMatchObject({ action: 'FINISH', disposition: 'CALENDLY' });
  });
});

describe('Mark Failed handler', () => {
  it('records the Lambda error message, not its JSON document', async () => {
    const run = execution();
    storeHolds(run);
    await markFailed(
      {
        executionId: run.id,
        error: {
          Error: 'States.Timeout',
          Cause: JSON.stringify({ errorMessage: 'Task timed out after 24 hours' }),
        },
      },
      context
    );
    const values = dynamo.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(values?.[':error']).toBe('States.Timeout: Task timed out after 24 hours');
    expect(values?.[':failed']).toBe('FAILED');
  });
});
