import { createHash, randomUUID } from 'node:crypto';
import type { LambdaRuntime } from './lambda-runtime.js';
import type { ScaledClock } from './scaled-clock.js';
import { LOCAL_REGION, type TemplateResolver } from './template.js';

/** A template queue consumed by a function through an event source mapping. */
export interface QueueConsumer {
  queueArn: string;
  functionId: string;
  /** The consumer reports per-record failures (ReportBatchItemFailures). */
  reportsItemFailures: boolean;
  visibilityTimeoutSeconds: number;
  /** Receives before a record goes to the dead-letter queue; none: it is retried forever. */
  maxReceiveCount?: number;
  deadLetterQueueArn?: string;
}

interface Message {
  messageId: string;
  body: string;
  sentAt: number;
  receives: number;
  /** Set by ChangeMessageVisibility while received: the wait before the next receive. */
  nextVisibilitySeconds?: number;
}

/** A message given up on, kept as SQS keeps it in the dead-letter queue. */
export interface DeadLetter {
  queueArn: string;
  deadLetterQueueArn?: string;
  body: string;
}

/** The template's SQS queues that feed a function, with the delivery settings that matter. */
export function queueConsumers(resolver: TemplateResolver): Map<string, QueueConsumer> {
  const queues = new Map(resolver.resourcesOfType('AWS::SQS::Queue'));
  const consumers = new Map<string, QueueConsumer>();
  for (const [id, mapping] of resolver.resourcesOfType('AWS::Lambda::EventSourceMapping')) {
    const queueArn = resolver.resolve(mapping.Properties.EventSourceArn);
    const queueId = queueArn.split(':').at(-1) as string;
    const queue = queues.get(queueId);
    if (!queueArn.startsWith('arn:aws:sqs:') || !queue)
      throw new Error(`Event source mapping ${id}: the local runtime reads only SQS queues`);
    consumers.set(queueArn, {
      queueArn,
      functionId: resolver.resolve(mapping.Properties.FunctionName),
      reportsItemFailures: (mapping.Properties.FunctionResponseTypes ?? []).includes(
        'ReportBatchItemFailures'
      ),
      visibilityTimeoutSeconds: Number(queue.Properties?.VisibilityTimeout ?? 30),
      maxReceiveCount: queue.Properties?.RedrivePolicy?.maxReceiveCount,
      deadLetterQueueArn:
        queue.Properties?.RedrivePolicy &&
        resolver.resolve(queue.Properties.RedrivePolicy.deadLetterTargetArn),
    });
  }
  return consumers;
}

/**
 * SQS queues and their Lambda consumers on the local runtime, as the event source mapping runs
 * them: each message is delivered in an SQS event (one record), a record the function reports
 * as failed (or a thrown invocation) comes back after the queue's visibility timeout (scaled
 * clock, or what ChangeMessageVisibility set while it was received), and after
 * `maxReceiveCount` receives it is dead-lettered: kept in `deadLetters` and logged, until a
 * redrive sends it back to its queue. Messages live in memory: one sent just before the
 * process stops is lost, and so are the dead letters.
 */
export class LocalQueues {
  readonly deadLetters: DeadLetter[] = [];
  /**
   * What SQS would bill besides the functions' own calls, for the benchmark: messages put on a
   * queue (by a rule's target, a function or a redrive), records handed to a consumer (one
   * receive each) and records it took (deleted by the event source mapping).
   */
  readonly counts = { sent: 0, received: 0, deleted: 0 };
  private readonly received = new Map<string, Message>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly consumers: Map<string, QueueConsumer>,
    private readonly lambdas: LambdaRuntime,
    private readonly clock: ScaledClock
  ) {}

  send(queueArn: string, body: string): void {
    const consumer = this.consumers.get(queueArn);
    if (!consumer) throw new Error(`No local consumer reads queue ${queueArn}`);
    this.counts.sent++;
    const message = { messageId: randomUUID(), body, sentAt: Date.now(), receives: 0 };
    const delivery = this.deliver(consumer, message).catch((error) =>
      console.error(`local queue ${queueArn}: delivery stopped`, error)
    );
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  /** Whether a function reads this queue (only those exist locally). */
  has(queueArn: string): boolean {
    return this.consumers.has(queueArn);
  }

  /** ChangeMessageVisibility on a received message; false when the receipt is not current. */
  changeVisibility(receiptHandle: string, seconds: number): boolean {
    const message = this.received.get(receiptHandle);
    if (!message) return false;
    message.nextVisibilitySeconds = seconds;
    return true;
  }

  /**
   * StartMessageMoveTask without a destination: every message of the dead-letter queue goes
   * back to the queue it came from, as a new message (its receive count starts again).
   */
  redrive(deadLetterQueueArn: string): number {
    const moved = this.deadLetters.filter((dead) => dead.deadLetterQueueArn === deadLetterQueueArn);
    for (const dead of moved) {
      this.deadLetters.splice(this.deadLetters.indexOf(dead), 1);
      this.send(dead.queueArn, dead.body);
    }
    return moved.length;
  }

  /** Resolves once every message sent so far has been handled or dead-lettered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Drops pending redeliveries and waits for deliveries in progress. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.idle();
  }

  private async deliver(consumer: QueueConsumer, message: Message): Promise<void> {
    for (;;) {
      message.receives++;
      this.counts.received++;
      if (await this.handled(consumer, message)) {
        this.counts.deleted++;
        return;
      }
      if (consumer.maxReceiveCount !== undefined && message.receives >= consumer.maxReceiveCount) {
        const { queueArn, deadLetterQueueArn } = consumer;
        this.deadLetters.push({ queueArn, deadLetterQueueArn, body: message.body });
        console.error(`local queue ${consumer.queueArn}: message dead-lettered`, message.body);
        return;
      }
      const hiddenSeconds = message.nextVisibilitySeconds ?? consumer.visibilityTimeoutSeconds;
      message.nextVisibilitySeconds = undefined;
      const visibleAt = Date.now() + hiddenSeconds * 1000;
      try {
        await this.clock.sleepUntil(visibleAt, this.stopping.signal);
      } catch {
        return; // the runtime is stopping
      }
    }
  }

  /** One receive: true when the function took the record. */
  private async handled(consumer: QueueConsumer, message: Message): Promise<boolean> {
    const receipt = receiptHandleOf(message);
    this.received.set(receipt, message);
    try {
      const response = (await this.lambdas.invoke(consumer.functionId, {
        Records: [sqsRecord(consumer.queueArn, message)],
      })) as { batchItemFailures?: Array<{ itemIdentifier: string }> } | undefined;
      if (!consumer.reportsItemFailures) return true;
      const failures = response?.batchItemFailures ?? [];
      return !failures.some((failure) => failure.itemIdentifier === message.messageId);
    } catch (error) {
      console.error(`local queue ${consumer.queueArn}: the consumer failed`, error);
      return false;
    } finally {
      this.received.delete(receipt);
    }
  }
}

function receiptHandleOf(message: Message): string {
  return `${message.messageId}#${message.receives}`;
}

/** A record as Lambda's SQS event source hands it over. */
function sqsRecord(queueArn: string, message: Message) {
  return {
    messageId: message.messageId,
    receiptHandle: receiptHandleOf(message),
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receives),
      SentTimestamp: String(message.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(message.body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: LOCAL_REGION,
  };
}
