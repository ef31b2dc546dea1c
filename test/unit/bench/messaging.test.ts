import type { Server } from 'node:http';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunksOf,
  countMessaging,
  entryBytes,
  type Messaging,
  noMessaging,
  sqsRequestsOf,
} from '../../../bench/messaging.js';
import { eventBridge, resetClients, sqs } from '../../../lambdas/adapters/aws-clients.js';
import type { LocalEventBus } from '../../../local/event-rules.js';
import { LambdaRuntime } from '../../../local/lambda-runtime.js';
import { startEventBridgeEndpoint, startSqsEndpoint } from '../../../local/messaging-endpoints.js';
import type { LocalQueues } from '../../../local/sqs-queues.js';

/** The bench's count of lifecycle events and SQS requests, as EventBridge and SQS bill them. */

describe('billing units', () => {
  it('a 64 KB chunk is one event or request; an empty payload still one', () => {
    expect(chunksOf(0)).toBe(1);
    expect(chunksOf(64 * 1024)).toBe(1);
    expect(chunksOf(64 * 1024 + 1)).toBe(2);
    expect(chunksOf(256 * 1024)).toBe(4);
  });

  it("an entry's size: Time 14 bytes, then UTF-8 bytes of source, detail-type, detail, resources", () => {
    const entry = { Source: 'outreach', DetailType: 'step.completed', Detail: '{"é":1}' };
    expect(entryBytes(entry)).toBe(8 + 14 + 8);
    expect(entryBytes({ ...entry, Time: new Date(), Resources: ['arn:x'] })).toBe(30 + 14 + 5);
  });

  it('SQS: the functions’ requests, a send per message a rule put, a receive and delete per record', () => {
    const ownNone = { ...noMessaging };
    // No subscription: 6 events, each sent to the event queue by the rule, received, deleted.
    expect(sqsRequestsOf(ownNone, { sent: 6, received: 6, deleted: 6 })).toBe(18);
    // One subscription: FanOut sends each event's delivery itself (6 batches of 1), and the
    // delivery queue receives and deletes them too.
    const ownBatches = { ...noMessaging, sqsRequests: 6, sqsMessages: 6 };
    expect(sqsRequestsOf(ownBatches, { sent: 12, received: 12, deleted: 12 })).toBe(36);
    // A record received again (its first try failed) is one receive more, no delete more.
    expect(sqsRequestsOf(ownNone, { sent: 1, received: 2, deleted: 1 })).toBe(4);
  });
});

describe('countMessaging on the SDK clients', () => {
  const fakeQueues = {
    has: () => true,
    send: () => undefined,
    changeVisibility: (receiptHandle: string) => receiptHandle === 'current',
  } as unknown as LocalQueues;
  const fakeBus = {
    buses: new Set(['default', 'Bus']),
    publish: () => undefined,
  } as unknown as LocalEventBus;
  let servers: Server[];
  let counting = true;
  let counted: Map<string, Messaging>;

  beforeAll(async () => {
    const endpoints = await Promise.all([
      startSqsEndpoint(fakeQueues),
      startEventBridgeEndpoint(fakeBus),
    ]);
    servers = endpoints.map((endpoint) => endpoint.server);
    const [sqsUrl, eventsUrl] = endpoints.map((endpoint) => endpoint.url);
    Object.assign(process.env, { SQS_ENDPOINT: sqsUrl, EVENTBRIDGE_ENDPOINT: eventsUrl });
    resetClients();
    counted = countMessaging(() => counting);
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    for (const name of ['SQS_ENDPOINT', 'EVENTBRIDGE_ENDPOINT']) delete process.env[name];
    resetClients();
  });

  const entry = (bus: string, detail: string) => ({
    EventBusName: bus,
    Source: 'outreach.workflows',
    DetailType: 'step.completed',
    Detail: detail,
  });

  it('counts accepted entries and their chunks, and each SQS request, by function', async () => {
    await LambdaRuntime.current.run('Dispatch', () =>
      eventBridge().send(
        new PutEventsCommand({
          Entries: [
            entry('Bus', JSON.stringify({ big: 'x'.repeat(70_000) })),
            entry('Bus', '{}'),
            entry('NoSuchBus', '{}'),
          ],
        })
      )
    );
    await LambdaRuntime.current.run('FanOut', async () => {
      const entries = ['a', 'b', 'c'].map((id) => ({ Id: id, MessageBody: `{"id":"${id}"}` }));
      await sqs().send(new SendMessageBatchCommand({ QueueUrl: 'Deliveries', Entries: entries }));
      for (const receipt of ['current', 'stale']) {
        const change = { QueueUrl: 'Deliveries', ReceiptHandle: receipt, VisibilityTimeout: 5 };
        await sqs()
          .send(new ChangeMessageVisibilityCommand(change))
          .catch(() => undefined);
      }
    });
    // The oversized entry is two events; the one for a missing bus was refused.
    expect(counted.get('Dispatch')).toEqual({ ...noMessaging, events: 2, eventChunks: 3 });
    // One batch of three small messages is one request; the refused visibility change none.
    expect(counted.get('FanOut')).toEqual({ ...noMessaging, sqsRequests: 2, sqsMessages: 3 });
  });

  it('counts nothing while paused', async () => {
    counting = false;
    const before = structuredClone([...counted]);
    await eventBridge().send(new PutEventsCommand({ Entries: [entry('Bus', '{}')] }));
    expect([...counted]).toEqual(before);
    counting = true;
  });
});
