import {
  type Execution,
  type ExecutionState,
  isFinished,
  recipientOf,
} from '../schemas/execution.js';
import { attemptKey } from '../schemas/step-attempt.js';
import { stepExecutionId } from '../use-cases/dispatch-step.js';

/** The step's own fields, as Feather repeats them on each step execution. */
function stepFields(execution: Execution, stepIndex: number) {
  const step = execution.definition.steps[stepIndex];
  return {
    type: step?.type,
    order: step?.order,
    delayInSecs: step?.delayInSecs,
    finishOn: step?.finishOn,
    leaveVoicemail: step?.leaveVoicemail,
    needsTCPACompliance: step?.needsTCPACompliance ?? true,
    agentId: step?.agentId,
  };
}

/** The attempt a run will make next, shown as Feather shows it: PENDING, with its planned time. */
function upcoming(execution: Execution) {
  const live = !isFinished(execution.status);
  const key = attemptKey(execution.stepIndex, execution.attemptNo);
  if (!live || execution.attempts[key] || !execution.definition.steps[execution.stepIndex])
    return [];
  return [
    {
      id: stepExecutionId(execution.id, execution.stepIndex, execution.attemptNo),
      workflowExecutionId: execution.id,
      stepIndex: execution.stepIndex,
      attemptNo: execution.attemptNo,
      status: 'PENDING' as const,
      ...stepFields(execution, execution.stepIndex),
      channel: null,
      disposition: null,
      scheduledAt: execution.nextRunAt,
      startedAt: null,
      queuedAt: null,
      handedOverAt: null,
      completedAt: null,
      agentCall: null,
    },
  ];
}

/**
 * The step executions of a run in run order, without the internal task token, then the
 * upcoming one (PENDING) while the run is live.
 */
export function presentStepExecutions(execution: Execution) {
  const placed = Object.values(execution.attempts)
    .sort((a, b) => a.stepIndex - b.stepIndex || a.attemptNo - b.attemptNo)
    .map(({ taskToken: _token, ...attempt }) => ({
      id: attempt.id,
      workflowExecutionId: execution.id,
      stepIndex: attempt.stepIndex,
      attemptNo: attempt.attemptNo,
      status: attempt.status,
      ...stepFields(execution, attempt.stepIndex),
      channel: attempt.channel,
      disposition: attempt.disposition ?? null,
      startedAt: attempt.startedAt,
      // Ours: when it started waiting for a pacing slot, if it had to.
      queuedAt: attempt.queuedAt ?? null,
      handedOverAt: attempt.handedOverAt ?? null,
      completedAt: attempt.completedAt ?? null,
      agentCall: attempt.agentCall ?? null,
      ...(attempt.error && { error: attempt.error }),
    }));
  return [...placed, ...upcoming(execution)];
}

/**
 * An execution as lists show it (Feather's fields plus `schedule`, the audit of the last
 * schedule decision), without the heavy fields, as Feather's non-enriched list does.
 */
export function presentExecutionSummary(execution: ExecutionState) {
  return {
    id: execution.id,
    workflowId: execution.workflowId,
    organizationId: execution.organizationId,
    status: execution.status,
    ...recipientOf(execution),
    priorityDate: execution.priorityDate,
    startAt: execution.startAt ?? null,
    stepIndex: execution.stepIndex,
    nextRunAt: execution.nextRunAt,
    disposition: execution.disposition,
    ...(execution.error && { error: execution.error }),
    schedule: execution.schedule ?? null,
    createdAt: execution.createdAt,
    updatedAt: execution.updatedAt,
    startedAt: execution.startedAt ?? null,
    completedAt: execution.completedAt ?? null,
  };
}

/** A whole execution when it was read whole (get, create, enriched lists), else its summary. */
export function presentExecution(execution: Execution | ExecutionState) {
  const summary = presentExecutionSummary(execution);
  if (!('attempts' in execution)) return summary;
  return {
    ...summary,
    variables: execution.variables,
    metadata: execution.metadata,
    definition: execution.definition,
    stepExecutions: presentStepExecutions(execution),
  };
}
