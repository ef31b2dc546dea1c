import { v5 as uuidv5 } from 'uuid';
import type { ExecutionState } from '../schemas/execution.js';
import {
  type LifecycleEvent,
  type LifecycleEventInput,
  type LifecycleEventType,
  WEBHOOK_RETRY_DELAYS_SECONDS,
} from '../schemas/lifecycle-events.js';
import type { StepAttempt } from '../schemas/step-attempt.js';

/** Namespace for lifecycle event ids: uuidv5(run, type, step attempt) is the same on every retry. */
const LIFECYCLE_EVENT_NAMESPACE = 'b0a6d3a2-5c1e-4f4b-9d0e-7e2f8c6a1b34';

/**
 * The event's id: one per run and type, and per step attempt for step events, so the same
 * happening emitted twice (a retried Lambda, a report sent again) is recognisably one event.
 */
export function lifecycleEventId(input: LifecycleEventInput): string {
  const { executionId, stepExecutionId } = input.data;
  return uuidv5(`${executionId}:${input.type}:${stepExecutionId ?? ''}`, LIFECYCLE_EVENT_NAMESPACE);
}

export function lifecycleEvent(input: LifecycleEventInput, now: Date): LifecycleEvent {
  return { id: lifecycleEventId(input), timestamp: now.toISOString(), ...input };
}

/** A run-level event (created, completed, cancelled, failed) from the run as stored. */
export function runEvent(type: LifecycleEventType, run: ExecutionState): LifecycleEventInput {
  return {
    type,
    organizationId: run.organizationId,
    data: {
      executionId: run.id,
      workflowId: run.workflowId,
      status: run.status,
      customerLeadId: run.customerLeadId,
      ...(run.disposition && { disposition: run.disposition }),
      ...(run.error !== undefined && { error: run.error }),
      ...(run.cancelledBy && { cancelledBy: run.cancelledBy }),
    },
  };
}

/** A step attempt's event (dispatched, completed). */
export function stepEvent(
  type: 'step.dispatched' | 'step.completed',
  run: ExecutionState,
  attempt: StepAttempt
): LifecycleEventInput {
  return {
    type,
    organizationId: run.organizationId,
    data: {
      executionId: run.id,
      workflowId: run.workflowId,
      customerLeadId: run.customerLeadId,
      stepExecutionId: attempt.id,
      stepIndex: attempt.stepIndex,
      attemptNo: attempt.attemptNo,
      channel: attempt.channel,
      ...(attempt.disposition && { disposition: attempt.disposition }),
    },
  };
}

/** The event a finished run's status calls for; undefined while it is active. */
export function endEventType(run: ExecutionState): LifecycleEventType | undefined {
  if (run.status === 'COMPLETED') return 'execution.completed';
  if (run.status === 'CANCELLED') return 'execution.cancelled';
  if (run.status === 'FAILED') return 'execution.failed';
  return undefined;
}

/** When a failed delivery is tried again, by how many tries were made (its receive count). */
export function webhookRetryDelaySeconds(receiveCount: number): number {
  const index = Math.min(Math.max(receiveCount, 1), WEBHOOK_RETRY_DELAYS_SECONDS.length) - 1;
  return WEBHOOK_RETRY_DELAYS_SECONDS[index] as number;
}
