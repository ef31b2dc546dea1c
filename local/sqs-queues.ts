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
}

interface Message {
  messageId: string;
  body: string;
  sentAt: number;
  receives: number;
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
    });
  }
  return consumers;
}

/**
 * SQS queues and their Lambda consumers on the local runtime, as the event source mapping runs
 * them: each message is delivered in an SQS event (one record), a record the function reports
 * as failed (or a thrown invocation) comes back after the queue's visibility timeout (scaled
 * clock), and after `maxReceiveCount` receives it is dead-lettered: kept in `deadLetters` and
 * logged. Messages live in memory: one sent just before the process stops is lost.
 */
export class LocalQueues {
  readonly deadLetters: Array<{ queueArn: string; body: string }> = [];
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
    const message = { messageId: randomUUID(), body, sentAt: Date.now(), receives: 0 };
    const delivery = this.deliver(consumer, message).catch((error) =>
      console.error(`local queue ${queueArn}: delivery stopped`, error)
    );
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
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
      if (await this.handled(consumer, message)) return;
      if (consumer.maxReceiveCount !== undefined && message.receives >= consumer.maxReceiveCount) {
        this.deadLetters.push({ queueArn: consumer.queueArn, body: message.body });
        console.error(`local queue ${consumer.queueArn}: message dead-lettered`, message.body);
        return;
      }
      const visibleAt = Date.now() + consumer.visibilityTimeoutSeconds * 1000;
      try {
        await this.clock.sleepUntil(visibleAt, this.stopping.signal);
      } catch {
        return; // the runtime is stopping
      }
    }
  }

  /** One receive: true when the function took the record. */
  private async handled(consumer: QueueConsumer, message: Message): Promise<boolean> {
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
    }
  }
}

/** A record as Lambda's SQS event source hands it over. */
function sqsRecord(queueArn: string, message: Message) {
  return {
    messageId: message.messageId,
    receiptHandle: `${message.messageId}#${message.receives}`,
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
