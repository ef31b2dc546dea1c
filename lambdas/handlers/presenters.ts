import { type Execution, type ExecutionState, recipientOf } from '../schemas/execution.js';

/** The step executions of a run in run order, without the internal task token. */
export function presentStepExecutions(execution: Execution) {
  return Object.values(execution.attempts)
    .sort((a, b) => a.stepIndex - b.stepIndex || a.attemptNo - b.attemptNo)
    .map(({ taskToken: _token, ...attempt }) => {
      const step = execution.definition.steps[attempt.stepIndex];
      return {
        id: attempt.id,
        workflowExecutionId: execution.id,
        stepIndex: attempt.stepIndex,
        attemptNo: attempt.attemptNo,
        status: attempt.status,
        type: step?.type,
        order: step?.order,
        delayInSecs: step?.delayInSecs,
        finishOn: step?.finishOn,
        leaveVoicemail: step?.leaveVoicemail,
        needsTCPACompliance: step?.needsTCPACompliance ?? true,
        agentId: step?.agentId,
        channel: attempt.channel,
        disposition: attempt.disposition ?? null,
        startedAt: attempt.startedAt,
        handedOverAt: attempt.handedOverAt ?? null,
        completedAt: attempt.completedAt ?? null,
        agentCall: attempt.agentCall ?? null,
        ...(attempt.error && { error: attempt.error }),
      };
    });
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
