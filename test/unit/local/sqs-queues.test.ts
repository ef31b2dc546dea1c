import { describe, expect, it } from 'vitest';
import type { LambdaRuntime } from '../../../local/lambda-runtime.js';
import type { ScaledClock } from '../../../local/scaled-clock.js';
import { LocalQueues, type QueueConsumer } from '../../../local/sqs-queues.js';

const QUEUE_ARN = 'arn:aws:sqs:local-1:000000000000:Ends';

const consumer: QueueConsumer = {
  queueArn: QUEUE_ARN,
  functionId: 'Reconciler',
  reportsItemFailures: true,
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
  deadLetterQueueArn: `${QUEUE_ARN}-dead`,
};

interface Received {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string };
  eventSourceARN: string;
}

/**
 * Queues over a function that answers each receive with `answer` (its batch item failures),
 * and a clock whose visibility timeouts pass at once, counting them.
 */
function queuesWith(answer: (record: Received, queues: LocalQueues) => 'ok' | 'report' | 'throw') {
  const received: Received[] = [];
  const waits: number[] = [];
  const lambdas = {
    async invoke(functionId: string, event: { Records: Received[] }) {
      expect(functionId).toBe('Reconciler');
      const [record] = event.Records;
      if (!record) throw new Error('an empty batch');
      received.push(record);
      const outcome = answer(record, queues);
      if (outcome === 'throw') throw new Error('function crashed');
      return {
        batchItemFailures: outcome === 'report' ? [{ itemIdentifier: record.messageId }] : [],
      };
    },
  } as unknown as LambdaRuntime;
  const clock = {
    async sleepUntil(until: number) {
      waits.push(until - Date.now());
    },
  } as unknown as ScaledClock;
  const queues = new LocalQueues(new Map([[QUEUE_ARN, consumer]]), lambdas, clock);
  return { queues, received, waits };
}

describe('LocalQueues', () => {
  it('delivers a message as an SQS event whose record body is the message', async () => {
    const { queues, received } = queuesWith(() => 'ok');
    queues.send(QUEUE_ARN, '{"detail":{}}');
    await queues.idle();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      body: '{"detail":{}}',
      eventSourceARN: QUEUE_ARN,
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(queues.deadLetters).toEqual([]);
  });

  it('delivers a reported or failed record again after the visibility timeout', async () => {
    const { queues, received, waits } = queuesWith((record) =>
      record.attributes.ApproximateReceiveCount === '1'
        ? 'report'
        : record.attributes.ApproximateReceiveCount === '2'
          ? 'throw'
          : 'ok'
    );
    queues.send(QUEUE_ARN, 'end');
    await queues.idle();
    expect(received.map((record) => record.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(new Set(received.map((record) => record.messageId)).size).toBe(1);
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeGreaterThan(179_000);
    expect(queues.deadLetters).toEqual([]);
    // What SQS bills besides the consumer's own calls: one send, three receives, one delete.
    expect(queues.counts).toEqual({ sent: 1, received: 3, deleted: 1 });
  });

  it('dead-letters a record after maxReceiveCount receives', async () => {
    const { queues, received } = queuesWith(() => 'report');
    queues.send(QUEUE_ARN, 'poison');
    await queues.idle();
    expect(received).toHaveLength(5);
    expect(queues.deadLetters).toEqual([
      { queueArn: QUEUE_ARN, deadLetterQueueArn: `${QUEUE_ARN}-dead`, body: 'poison' },
    ]);
    expect(queues.counts).toEqual({ sent: 1, received: 5, deleted: 0 });
  });

  it('waits what ChangeMessageVisibility set during the receive, once', async () => {
    const { queues, waits } = queuesWith((record, self) => {
      const receives = record.attributes.ApproximateReceiveCount;
      if (receives === '1') expect(self.changeVisibility(record.receiptHandle, 5)).toBe(true);
      return receives === '3' ? 'ok' : 'report';
    });
    queues.send(QUEUE_ARN, 'later');
    await queues.idle();
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(4_000);
    expect(waits[0]).toBeLessThanOrEqual(5_000);
    expect(waits[1]).toBeGreaterThan(179_000);
    expect(queues.changeVisibility('not-a-receipt', 5)).toBe(false);
  });

  it('moves dead letters back to their queue on redrive, with a fresh receive count', async () => {
    let healthy = false;
    const { queues, received } = queuesWith(() => (healthy ? 'ok' : 'report'));
    queues.send(QUEUE_ARN, 'poison');
    await queues.idle();
    expect(queues.redrive(`${QUEUE_ARN}-elsewhere`)).toBe(0);
    healthy = true;
    expect(queues.redrive(`${QUEUE_ARN}-dead`)).toBe(1);
    await queues.idle();
    expect(queues.deadLetters).toEqual([]);
    expect(received.at(-1)).toMatchObject({
      body: 'poison',
      attributes: { ApproximateReceiveCount: '1' },
    });
  });

  it('refuses a queue no function reads', () => {
    const { queues } = queuesWith(() => 'ok');
    expect(() => queues.send(`${QUEUE_ARN}-other`, 'x')).toThrow(/No local consumer/);
  });
});
