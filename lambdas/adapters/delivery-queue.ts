import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { WebhookDelivery } from '../schemas/lifecycle-events.js';
import { required } from '../shared/config.js';
import { sqs } from './aws-clients.js';

/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;

/** Queues one message per delivery; throws when any was refused (the caller is retried). */
export async function enqueueDeliveries(deliveries: WebhookDelivery[]): Promise<void> {
  const queueUrl = required('WEBHOOK_DELIVERY_QUEUE_URL');
  for (let start = 0; start < deliveries.length; start += BATCH) {
    const entries = deliveries.slice(start, start + BATCH).map((delivery, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(delivery),
    }));
    const output = await sqs().send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })
    );
    const failed = output.Failed?.[0];
    if (failed) throw new Error(`SendMessageBatch refused a delivery: ${failed.Code}`);
  }
}

/** Hides a received delivery for `seconds` more: its next try comes no earlier. */
export async function delayRetry(receiptHandle: string, seconds: number): Promise<void> {
  await sqs().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: required('WEBHOOK_DELIVERY_QUEUE_URL'),
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    })
  );
}

/**
 * Moves a dead-letter queue's messages back to the queues they came from (SQS
 * StartMessageMoveTask without a destination); answers the task handle.
 */
export async function startRedrive(deadLetterQueueArn: string): Promise<string> {
  const output = await sqs().send(
    new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueueArn })
  );
  return output.TaskHandle ?? '';
}
