import {
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { uuidSchema } from '../schemas/common.js';
import type { RunInput, TaskOutput } from '../schemas/state-machine.js';
import { required } from '../shared/config.js';
import { stepFunctions } from './aws-clients.js';

/** Starts the run for one execution; the execution id is the run name, so a retry cannot start two. */
export async function startRun(input: RunInput): Promise<void> {
  try {
    await stepFunctions().send(
      new StartExecutionCommand({
        stateMachineArn: required('STATE_MACHINE_ARN'),
        name: input.executionId,
        input: JSON.stringify(input),
      })
    );
  } catch (error) {
    // Same name and same input is idempotent on AWS; a run of that name already exists: ours.
    if ((error as Error).name !== 'ExecutionAlreadyExists') throw error;
  }
}

/** Errors meaning the token's task is no longer waiting: it already ended or timed out. */
const staleTokenErrors = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Completes a waiting task; false when the task was no longer waiting for this token. */
export async function completeTask(taskToken: string, output: TaskOutput): Promise<boolean> {
  try {
    await stepFunctions().send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })
    );
    return true;
  } catch (error) {
    if (staleTokenErrors.has((error as Error).name)) return false;
    throw error;
  }
}

/** A run's execution ARN: the state machine's, with the execution id as its name. */
function executionArnOf(executionId: string): string {
  return `${required('STATE_MACHINE_ARN').replace(':stateMachine:', ':execution:')}:${executionId}`;
}

/**
 * The run an execution belongs to: executions of our state machine are named after the run's
 * id (`startRun`). Undefined for an execution of another state machine or another name.
 */
export function runIdOf(execution: { stateMachineArn: string; name: string }): string | undefined {
  if (execution.stateMachineArn !== required('STATE_MACHINE_ARN')) return undefined;
  return uuidSchema.safeParse(execution.name).success ? execution.name : undefined;
}

/** Stops a run's state machine execution; one that never started or already ended is fine. */
export async function stopRun(executionId: string, cause: string): Promise<void> {
  try {
    await stepFunctions().send(
      new StopExecutionCommand({ executionArn: executionArnOf(executionId), cause })
    );
  } catch (error) {
    if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
  }
}
