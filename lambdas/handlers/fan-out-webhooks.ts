import middy from '@middy/core';
import type { SQSBatchResponse } from 'aws-lambda';
import { sqsEventSchema } from '../schemas/execution-events.js';
import { busLifecycleEventSchema } from '../schemas/lifecycle-events.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { fanOutLifecycleEvent } from '../use-cases/webhook-delivery.js';
import { observability } from './observability.js';

config();

/**
 * Lifecycle events from the bus (an EventBridge rule's SQS target), each turned into one
 * delivery message per subscribed endpoint. A record that cannot be fanned out (the table or
 * the delivery queue refused) is reported back to SQS alone and tried again; a repeat queues
 * deliveries again, which the delivery step recognises as already sent.
 */
export const handler = middy<unknown, SQSBatchResponse>()
  .use(observability())
  .handler(async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of sqsEventSchema.parse(event).Records) {
      try {
        const { detail } = busLifecycleEventSchema.parse(JSON.parse(record.body));
        await fanOutLifecycleEvent(detail);
      } catch (error) {
        logger.error('could not fan a lifecycle event out; SQS will deliver it again', {
          messageId: record.messageId,
          error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  });
