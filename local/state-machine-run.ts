import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { type LocalStateMachine, TASK_TOKEN_SENTINEL } from './asl.js';
import type { Checkpoint } from './checkpoints.js';
import type { JSONValue } from './task-tokens.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './template.js';

/** One run of the library: its result, its abort, its event log. */
export type Execution = ReturnType<StateMachine['run']>;
export type TaskHandler = (input: JSONValue) => Promise<JSONValue>;

/** How a run ended, in DescribeExecution's terms. */
export type Outcome =
  | { status: 'ABORTED' }
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED'; error: string; cause: string };

/**
 * Starts the library at the checkpoint's state with that state's saved input. Validation is
 * off because a run resumed mid-machine leaves the states before the checkpoint unreachable.
 */
export function runFrom(
  machine: LocalStateMachine,
  checkpoint: Checkpoint,
  handlers: Record<string, TaskHandler>
): Execution {
  const stateMachine = new StateMachine(
    { ...machine.definition, StartAt: checkpoint.state },
    { validationOptions: { noValidate: true } }
  );
  return stateMachine.run(JSON.parse(checkpoint.input) as JSONValue, {
    overrides: { taskResourceLocalHandlers: handlers },
    context: {
      Task: { Token: TASK_TOKEN_SENTINEL },
      Execution: {
        Id: checkpoint.pk,
        Name: checkpoint.name,
        Input: JSON.parse(checkpoint.input),
        StartTime: new Date(checkpoint.startDate).toISOString(),
      },
    },
    noThrowOnAbort: true,
  });
}

type RunError = Error & { cause?: { name?: string; message?: string } };

/** The run's outcome; with noThrowOnAbort an aborted run resolves with null. */
export function outcomeOf(result: Execution['result'], aborted: AbortSignal): Promise<Outcome> {
  return result.then(
    (output): Outcome =>
      output === null && aborted.aborted
        ? { status: 'ABORTED' }
        : { status: 'SUCCEEDED', output: JSON.stringify(output) },
    (error: RunError): Outcome => ({
      status: 'FAILED',
      error: String(error.cause?.name ?? error.name),
      cause: String(error.cause?.message ?? error.message),
    })
  );
}

/**
 * An execution's end as Step Functions puts it on the default event bus
 * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html). The checkpoint keeps
 * only the current state's input, not the execution's, so input and output are left out the
 * way AWS leaves out ones too large to include.
 */
export function statusChangeEvent(ended: Checkpoint): Record<string, unknown> {
  const stopDate = ended.stopDate ?? Date.now();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: LOCAL_ACCOUNT,
    time: new Date(stopDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: [ended.pk],
    detail: {
      executionArn: ended.pk,
      stateMachineArn: ended.stateMachineArn,
      name: ended.name,
      status: ended.status,
      startDate: ended.startDate,
      stopDate,
      input: null,
      output: null,
      inputDetails: { included: false },
      outputDetails: { included: false },
      error: ended.error ?? null,
      cause: ended.cause ?? null,
    },
  };
}
