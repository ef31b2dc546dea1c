import { eventBusConfigured, putLifecycleEvent } from '../adapters/event-bus.js';
import { listSubscriptions } from '../adapters/webhook-subscriptions.js';
import { endEventType, lifecycleEvent, runEvent, stepEvent } from '../domain/lifecycle-events.js';
import type { ExecutionState } from '../schemas/execution.js';
import type { LifecycleEvent, LifecycleEventInput } from '../schemas/lifecycle-events.js';
import type { StepAttempt } from '../schemas/step-attempt.js';
import { logger } from '../shared/logger.js';
import { countLifecycleEventUnpublished } from '../shared/metrics.js';

/**
 * Tells the outside world what happened to a run: puts the event on the deployment's bus, from
 * where the webhook fan-out (and any rule a team adds) takes it. The event's id is derived from
 * what happened, so a caller that is retried publishes the same event again and subscribers get
 * it once. Never fails its caller: the run's own write has been made, and an event the bus
 * refused is logged and counted (`LifecycleEventsUnpublished`) rather than undoing it.
 * Answers the event as put, or undefined when none was (no bus configured, or refused).
 */
export async function publishLifecycleEvent(
  event: LifecycleEventInput,
  now: Date
): Promise<LifecycleEvent | undefined> {
  if (!eventBusConfigured()) return undefined;
  const envelope = lifecycleEvent(event, now);
  try {
    await putLifecycleEvent(envelope, await wantedByWebhooks(event));
    return envelope;
  } catch (error) {
    countLifecycleEventUnpublished();
    logger.error('lifecycle event not published', {
      eventId: envelope.id,
      type: event.type,
      error,
    });
    return undefined;
  }
}

/**
 * Whether one of the organization's subscriptions takes this event type: one strongly
 * consistent Query of at most 10 small items. The webhook rule matches only events that say
 * so, so an organization without subscriptions pays no queue, fan-out or delivery for them.
 */
async function wantedByWebhooks(event: LifecycleEventInput): Promise<boolean> {
  const subscriptions = await listSubscriptions(event.organizationId);
  return subscriptions.some((subscription) => subscription.eventTypes.includes(event.type));
}

/** `execution.created` for a run just stored. */
export function publishRunCreated(run: ExecutionState, now: Date) {
  return publishLifecycleEvent(runEvent('execution.created', run), now);
}

/** The end event (completed, cancelled, failed) of a run that has ended; nothing otherwise. */
export async function publishRunEnded(run: ExecutionState, now: Date): Promise<void> {
  const type = endEventType(run);
  if (type) await publishLifecycleEvent(runEvent(type, run), now);
}

/** After an outcome is settled: `step.completed`, and the run's end event when it ended. */
export async function publishOutcome(run: ExecutionState, attempt: StepAttempt, now: Date) {
  await publishStepEvent('step.completed', run, attempt, now);
  await publishRunEnded(run, now);
}

/** `step.dispatched` (handed to the channel) or `step.completed` (its outcome recorded). */
export function publishStepEvent(
  type: 'step.dispatched' | 'step.completed',
  run: ExecutionState,
  attempt: StepAttempt,
  now: Date
) {
  return publishLifecycleEvent(stepEvent(type, run, attempt), now);
}
