import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedrive } from '../../lambdas/adapters/delivery-queue.js';
import { verifyStandardWebhook } from '../../lambdas/domain/providers/standard-webhooks.js';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  featherExecution,
  featherWorkflow,
  waitFor,
} from '../helpers/local-api.js';
import {
  type ReceivedWebhook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../helpers/webhook-receiver.js';

let api: ApiClient;
let healthy: WebhookReceiver;
let failing: WebhookReceiver;

beforeAll(async () => {
  // One simulated day in about 4 real seconds: the retry schedule (about 27 simulated hours)
  // runs out in about 5.
  api = await bootLocalApi({
    timeScale: 21_600,
    environment: {
      OUTREACH_CHANNEL: 'simulator',
      SIMULATOR_OUTCOME: 'NO_ANSWER',
      SIMULATOR_DELAY_MS: '50',
      // 48 refused deliveries are expected: keep their warnings out of the output.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
  healthy = await startWebhookReceiver();
  failing = await startWebhookReceiver();
  failing.answer(500);
});

afterAll(async () => {
  await api.runtime.stop();
  await healthy.close();
  await failing.close();
});

/**
 * The signature over the body as received. The local clock runs 21,600 times faster, so the
 * five-minute window is checked against the message's own timestamp, which the signature covers.
 */
function verifiedEvents(received: ReceivedWebhook[], secret: string) {
  return received.map((request) => {
    const headers = request.headers as Record<string, string>;
    const signedAt = new Date(Number(headers['webhook-timestamp']) * 1000);
    expect(
      verifyStandardWebhook({ secret, headers, rawBody: request.body, now: signedAt })
    ).toEqual({
      valid: true,
    });
    const event = JSON.parse(request.body);
    expect(headers['webhook-id']).toBe(event.id);
    return event as { id: string; type: string; data: { executionId: string } };
  });
}

const runEvents = [
  'execution.completed',
  'execution.created',
  'step.completed',
  'step.completed',
  'step.dispatched',
  'step.dispatched',
];

describe('lifecycle webhooks on the local runtime', () => {
  it('validates subscriptions and keeps them to their organization', async () => {
    const bad = await api.request('POST', '/api/v1/webhooks', {
      url: 'http://example.com/hook',
      eventTypes: ['execution.started'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'eventTypes.0',
      'url',
    ]);
    const created = await api.request('POST', '/api/v1/webhooks', { url: healthy.url });
    expect(created.status).toBe(201);
    const other = await api.otherOrganization('webhooks-other');
    expect((await other('GET', `/api/v1/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await other('DELETE', `/api/v1/webhooks/${created.body.id}`)).status).toBe(404);
    expect((await other('GET', '/api/v1/webhooks')).body).toEqual({ webhooks: [] });
    const deleted = await api.request('DELETE', `/api/v1/webhooks/${created.body.id}`);
    expect(deleted.status).toBe(200);
    expect((await api.request('GET', `/api/v1/webhooks/${created.body.id}`)).status).toBe(404);
  });

  it('delivers each event of a run once, signed; a failing endpoint’s go to the DLQ and are redriven', async () => {
    const good = await api.request('POST', '/api/v1/webhooks', { url: healthy.url });
    const bad = await api.request('POST', '/api/v1/webhooks', {
      url: failing.url,
      description: 'down for maintenance',
    });
    const listed = await api.request('GET', '/api/v1/webhooks');
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    expect(listed.body.webhooks).toHaveLength(2);

    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
    });
    const run = await api.request(
      'POST',
      `/api/v1/workflow/${workflow.body.id}/execution`,
      featherExecution
    );
    await waitFor(
      async () => healthy.received.length,
      (count) => count >= runEvents.length,
      60_000
    );
    // Every delivery settles: the healthy ones, and the failing ones after their last try.
    await api.runtime.queues.idle();

    const events = verifiedEvents(healthy.received, good.body.secret);
    expect(events.map((event) => event.type).sort()).toEqual(runEvents);
    expect(new Set(events.map((event) => event.id)).size).toBe(runEvents.length);
    expect(events.every((event) => event.data.executionId === run.body.id)).toBe(true);

    // Eight tries per event, then the dead-letter queue; nothing else dead-lettered.
    expect(failing.received).toHaveLength(runEvents.length * 8);
    const deadLetters = api.runtime.queues.deadLetters;
    expect(deadLetters).toHaveLength(runEvents.length);
    const deadLetterQueueArn = deadLetters[0]?.deadLetterQueueArn as string;
    expect(deadLetters.every((dead) => dead.deadLetterQueueArn === deadLetterQueueArn)).toBe(true);

    failing.received.length = 0;
    failing.answer(200);
    await startRedrive(deadLetterQueueArn);
    await api.runtime.queues.idle();
    const redriven = verifiedEvents(failing.received, bad.body.secret);
    expect(redriven.map((event) => event.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(api.runtime.queues.deadLetters).toEqual([]);
    // The healthy endpoint got nothing again.
    expect(healthy.received).toHaveLength(runEvents.length);
  });

  it('sends a cancel to an endpoint subscribed to cancels only, with who cancelled', async () => {
    const cancels = await startWebhookReceiver();
    try {
      const hook = await api.request('POST', '/api/v1/webhooks', {
        url: cancels.url,
        eventTypes: ['execution.cancelled'],
      });
      const workflow = await api.request('POST', '/api/v1/workflow', {
        ...featherWorkflow,
        workflowSchedule: alwaysOpen,
        tcpaSchedule: alwaysOpen,
      });
      const startAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const run = await api.request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
        ...featherExecution,
        startAt,
      });
      const path = `/api/v1/workflow/${workflow.body.id}/execution/${run.body.id}/cancel`;
      expect((await api.request('POST', path)).status).toBe(200);
      await waitFor(
        async () => cancels.received.length,
        (count) => count >= 1
      );
      await api.runtime.queues.idle();
      const [event, ...more] = verifiedEvents(cancels.received, hook.body.secret);
      expect(more).toEqual([]);
      expect(event).toMatchObject({
        type: 'execution.cancelled',
        data: { executionId: run.body.id, status: 'CANCELLED', cancelledBy: 'api' },
      });
    } finally {
      await cancels.close();
    }
  });
});
