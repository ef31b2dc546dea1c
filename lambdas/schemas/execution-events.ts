import { z } from 'zod';

/**
 * How a Step Functions execution can end without passing through the API: it failed (an error
 * no Catch handled, or Mark Failed out of retries), it ran past the state machine's
 * TimeoutSeconds, or someone stopped it (StopExecution, from the console or the CLI).
 */
export const reconciledEndings = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ReconciledEnding = (typeof reconciledEndings)[number];

export const EXECUTION_STATUS_CHANGE = 'Step Functions Execution Status Change';

/**
 * The fields of Step Functions' EventBridge event we read
 * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html). `status` stays a plain
 * string: a status this code does not reconcile is ignored, not a malformed message.
 */
export const executionStatusChangeSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string(),
    status: z.string(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});
export type ExecutionStatusChange = z.infer<typeof executionStatusChangeSchema>['detail'];

/** An SQS event as Lambda's event source mapping delivers it, as far as the handler reads it. */
export const sqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() })),
});
