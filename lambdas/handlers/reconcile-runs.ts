import middy from '@middy/core';
import type { SQSBatchResponse } from 'aws-lambda';
import { executionStatusChangeSchema, sqsEventSchema } from '../schemas/execution-events.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { reconcileRun } from '../use-cases/reconcile-run.js';
import { observability } from './observability.js';

config();

/**
 * Step Functions execution ends (FAILED, TIMED_OUT, ABORTED of our state machine), routed by an
 * EventBridge rule through an SQS queue. Each record is reconciled on its own: one that fails
 * (unreadable, or the table refused) is reported back to SQS, which redelivers it and after a
 * few receives moves it to the dead-letter queue, while the others are done.
 */
export const handler = middy<unknown, SQSBatchResponse>()
  .use(observability())
  .handler(async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    const now = new Date();
    for (const record of sqsEventSchema.parse(event).Records) {
      try {
        const change = executionStatusChangeSchema.parse(JSON.parse(record.body));
        await reconcileRun(change.detail, now);
      } catch (error) {
        logger.error('could not reconcile an execution end; SQS will deliver it again', {
          messageId: record.messageId,
          error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  });
