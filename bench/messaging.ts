/**
 * Lifecycle events and their queues, as billed: the events the functions put on the bus
 * (EventBridge bills a custom event per 64 KB chunk of its entry) and the functions' own SQS
 * requests (SQS bills a request per 64 KB chunk of its payload), by function, counted on the SDK
 * clients; plus the SQS requests AWS makes between them, from the local queues' counts: the
 * rule's target sends each event to the queue, and Lambda's event source mapping receives and
 * deletes each record.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridge, sqs } from '../lambdas/adapters/aws-clients.js';
import { LambdaRuntime } from '../local/lambda-runtime.js';

export interface Messaging {
  /** PutEvents entries the bus accepted. */
  events: number;
  /** The same in 64 KB chunks: what EventBridge bills. */
  eventChunks: number;
  /** The functions' own SQS requests, in 64 KB chunks (SendMessageBatch, ChangeMessageVisibility). */
  sqsRequests: number;
  /** The messages those requests put on a queue (the queues count them as sent too). */
  sqsMessages: number;
}

export const noMessaging: Messaging = { events: 0, eventChunks: 0, sqsRequests: 0, sqsMessages: 0 };

/** The local queues' counts (`LocalQueues.counts`). */
export interface QueueCounts {
  sent: number;
  received: number;
  deleted: number;
}

const CHUNK_BYTES = 64 * 1024;

export function chunksOf(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / CHUNK_BYTES));
}

/**
 * A PutEvents entry's size as EventBridge meters it: Time 14 bytes when present, and the UTF-8
 * bytes of Source, DetailType, Detail and each resource.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function entryBytes(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => Buffer.byteLength(text ?? '');
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((t, resource) => t + bytes(resource), 0)
  );
}

/**
 * Every SQS request billed: the functions' own; one SendMessage per message a rule's target put
 * on a queue (the messages no function sent); one receive and one delete per record. Locally
 * each record comes alone, as on AWS when traffic is thin; in a burst the event source mapping
 * receives and deletes up to 10 at a time, so this is the upper bound.
 */
export function sqsRequestsOf(functions: Messaging, queues: QueueCounts): number {
  const sentByRules = queues.sent - functions.sqsMessages;
  return functions.sqsRequests + sentByRules + queues.received + queues.deleted;
}

export function totalOf(byFunction: Map<string, Messaging>): Messaging {
  const total = { ...noMessaging };
  for (const m of byFunction.values()) {
    total.events += m.events;
    total.eventChunks += m.eventChunks;
    total.sqsRequests += m.sqsRequests;
    total.sqsMessages += m.sqsMessages;
  }
  return total;
}

type Input = Record<string, unknown>;

/** Counts a successful SQS request of a function: its chunks, and the messages it sent. */
function countSqs(entry: Messaging, commandName: string | undefined, input: Input): void {
  if (commandName === 'SendMessageBatchCommand') {
    const entries = (input.Entries ?? []) as Array<{ MessageBody?: string }>;
    const bytes = entries.reduce((t, e) => t + Buffer.byteLength(e.MessageBody ?? ''), 0);
    entry.sqsRequests += chunksOf(bytes);
    entry.sqsMessages += entries.length;
  } else if (commandName === 'SendMessageCommand') {
    entry.sqsRequests += chunksOf(Buffer.byteLength(String(input.MessageBody ?? '')));
    entry.sqsMessages++;
  } else {
    entry.sqsRequests++;
  }
}

/**
 * Counts every PutEvents entry and SQS request the handlers make from now on, by function
 * (`runtime` for the local runtime's own). `counting()` false pauses it.
 */
export function countMessaging(counting: () => boolean): Map<string, Messaging> {
  const byFunction = new Map<string, Messaging>();
  const entryOf = () => {
    const fn = LambdaRuntime.current.getStore() ?? 'runtime';
    const entry = byFunction.get(fn) ?? { ...noMessaging };
    byFunction.set(fn, entry);
    return entry;
  };
  eventBridge().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!counting() || context.commandName !== 'PutEventsCommand') return result;
      const entries = ((args.input as Input).Entries ?? []) as PutEventsRequestEntry[];
      const answers = ((result.output as unknown as Input).Entries ?? []) as Array<{
        ErrorCode?: string;
      }>;
      const accepted = entries.filter((_, i) => !answers[i]?.ErrorCode);
      const entry = entryOf();
      entry.events += accepted.length;
      entry.eventChunks += accepted.reduce((t, e) => t + chunksOf(entryBytes(e)), 0);
      return result;
    },
    { step: 'initialize', name: 'benchPutEvents' }
  );
  sqs().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (counting()) countSqs(entryOf(), context.commandName, args.input as Input);
      return result;
    },
    { step: 'initialize', name: 'benchSqsRequests' }
  );
  return byFunction;
}
