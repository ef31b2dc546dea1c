import { CreateScheduleCommand, DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import type { RunInput } from '../schemas/state-machine.js';
import { config, required } from '../shared/config.js';
import { scheduler } from './aws-clients.js';

/**
 * A run whose start lies far ahead starts from an EventBridge Scheduler one-time schedule
 * instead of waiting inside a state machine execution (which would count against the open
 * executions quota for months). The schedule calls StartExecution through Scheduler's universal
 * target with the execution id as the name, so a repeat start is refused by Step Functions, and
 * it deletes itself once it has run.
 */
const START_EXECUTION_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:startExecution';

function scheduleName(executionId: string): string {
  return `run-${executionId}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, Scheduler's one-time expression. */
function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

/** Creates the run's start schedule; one that already exists (a retry) is fine. */
export async function scheduleStart(input: RunInput, at: Date): Promise<void> {
  try {
    await scheduler().send(
      new CreateScheduleCommand({
        Name: scheduleName(input.executionId),
        GroupName: config().SCHEDULE_GROUP,
        ScheduleExpression: atExpression(at),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: START_EXECUTION_TARGET,
          RoleArn: required('SCHEDULER_ROLE_ARN'),
          Input: JSON.stringify({
            StateMachineArn: required('STATE_MACHINE_ARN'),
            Name: input.executionId,
            Input: JSON.stringify(input),
          }),
        },
      })
    );
  } catch (error) {
    if ((error as Error).name !== 'ConflictException') throw error;
  }
}

/** Deletes the run's start schedule; one that already ran or never existed is fine. */
export async function unscheduleStart(executionId: string): Promise<void> {
  try {
    await scheduler().send(
      new DeleteScheduleCommand({
        Name: scheduleName(executionId),
        GroupName: config().SCHEDULE_GROUP,
      })
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
}
