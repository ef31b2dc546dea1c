import middy from '@middy/core';
import type { SQSBatchResponse } from 'aws-lambda';
import { sqsDeliveryEventSchema, webhookDeliverySchema } from '../schemas/lifecycle-events.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { countWebhookDelivery } from '../shared/metrics.js';
import { deliverWebhook, retryLater } from '../use-cases/webhook-delivery.js';
import { observability } from './observability.js';

config();

type SqsRecord = ReturnType<typeof sqsDeliveryEventSchema.parse>['Records'][number];

/** One message: true when it is done with (delivered, a duplicate, or unsubscribed since). */
async function deliverRecord(record: SqsRecord, now: Date): Promise<boolean> {
  try {
    const delivery = webhookDeliverySchema.parse(JSON.parse(record.body));
    countWebhookDelivery(await deliverWebhook(delivery, now));
    return true;
  } catch (error) {
    countWebhookDelivery('failed');
    const receives = record.attributes.ApproximateReceiveCount;
    // The endpoint's answer is the news here, not our stack.
    logger.warn('webhook not delivered; it will be tried again', {
      messageId: record.messageId,
      receives,
      reason: (error as Error).message,
    });
    await retryLater(record.receiptHandle, receives);
    return false;
  }
}

/**
 * Webhook deliveries, one (event, subscription) per message, sent in parallel (each waits at
 * most 10 s for its endpoint). A failed one is reported back alone (partial batch response),
 * hidden for the next delay of the retry schedule, and after the last try SQS moves it to the
 * dead-letter queue, from which `npm run webhooks:redrive` moves it back.
 */
export const handler = middy<unknown, SQSBatchResponse>()
  .use(observability())
  .handler(async (event) => {
    const now = new Date();
    const { Records } = sqsDeliveryEventSchema.parse(event);
    const done = await Promise.all(Records.map((record) => deliverRecord(record, now)));
    return {
      batchItemFailures: Records.filter((_, index) => !done[index]).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  });
