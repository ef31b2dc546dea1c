import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Outcome, StepAttempt } from '../schemas/step-attempt.js';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName, Update } from './table.js';
import { keys } from './table-keys.js';

/**
 * Step attempts are items of their own in the run's partition. The claim is a write-once Put:
 * however the run's state item behaves (a retry, a restart, a stale copy written back), a
 * second claim of the same attempt fails, so nothing is ever contacted twice for it. Attempt
 * items are never deleted.
 */
export function claimAttemptRecord(executionId: string, attempt: StepAttempt): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.stepAttempt(executionId, attempt.stepIndex, attempt.attemptNo),
          ...attempt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

function attemptKey(executionId: string, attempt: StepAttempt) {
  return keys.stepAttempt(executionId, attempt.stepIndex, attempt.attemptNo);
}

/** Points an attempt that has no outcome yet at the task token now waiting for it. */
export function swapTaskToken(
  executionId: string,
  attempt: StepAttempt,
  taskToken: string
): Promise<boolean> {
  return new Update()
    .set('taskToken', taskToken)
    .whenExists()
    .whenAbsent('disposition')
    .run(attemptKey(executionId, attempt));
}

/** Records that the channel accepted the attempt, so a restart knows not to deliver again. */
export async function markHandedOver(
  executionId: string,
  attempt: StepAttempt,
  now: Date
): Promise<void> {
  await new Update()
    .set('handedOverAt', now.toISOString())
    .whenExists()
    .run(attemptKey(executionId, attempt));
}

/** Keeps the provider's id of the call or message, for lookups after a crash and for support. */
export async function recordProviderId(
  executionId: string,
  attempt: StepAttempt,
  providerId: string
): Promise<void> {
  await new Update()
    .set('providerId', providerId)
    .whenExists()
    .run(attemptKey(executionId, attempt));
}

/** Writes an attempt's outcome exactly once; false when it already had one. */
export function recordAttemptOutcome(
  executionId: string,
  attempt: StepAttempt,
  outcome: Outcome,
  now: Date
): Promise<boolean> {
  const update = new Update()
    .set('status', outcome.error ? 'FAILED' : 'COMPLETED')
    .set('disposition', outcome.disposition)
    .set('completedAt', now.toISOString())
    .whenExists()
    .whenAbsent('disposition');
  if (outcome.agentCall) update.set('agentCall', outcome.agentCall);
  if (outcome.error) update.set('error', outcome.error);
  return update.run(attemptKey(executionId, attempt));
}

const pointerSchema = z.object({
  executionId: z.string(),
  organizationId: z.string(),
  stepIndex: z.int(),
  attemptNo: z.int(),
});
export type StepExecutionPointer = z.infer<typeof pointerSchema>;

/** Written before the attempt is claimed; idempotent, and harmless if the claim then fails. */
export async function putStepExecutionPointer(
  id: string,
  pointer: StepExecutionPointer
): Promise<void> {
  await dynamo().send(
    new PutCommand({ TableName: tableName(), Item: { ...keys.stepExecution(id), ...pointer } })
  );
}

export async function findStepExecutionPointer(
  id: string
): Promise<StepExecutionPointer | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.stepExecution(id), ConsistentRead: true })
  );
  const parsed = pointerSchema.safeParse(Item);
  return parsed.success ? parsed.data : undefined;
}
