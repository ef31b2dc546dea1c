import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Chain,
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface OutreachStateMachineProps {
  dispatchFunction: IFunction;
  failFunction: IFunction;
  /** How long Dispatch waits for an outcome report before the run fails. @default 24 hours */
  outcomeTimeout?: Duration;
}

/** Lambda's transient errors: retried with backoff, never caught as failures. */
const transientLambdaErrors = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/**
 * One standard execution per workflow execution. The flow, in order:
 * 1. The run starts at the Wait with the first step's plan, made when the execution was
 *    created: `{ action: STEP, stepIndex, waitUntil }`. A run always starts with a step (a
 *    create whose schedules never allow contact is refused), so it needs no Route first.
 * 2. Route sends STEP to the Wait, DISPATCH straight to Dispatch, PARK (the run is paused) to
 *    Park, and FINISH to Done.
 * 3. Wait Until Allowed sleeps until `plan.waitUntil` (TimestampPath, capped to 7 days).
 * 4. Dispatch (waitForTaskToken) re-reads the execution, re-checks status and window and
 *    contacts the recipient once. Whoever completes its token hands back the next plan from
 *    the schedule check (domain/next-step.ts) on the execution as it now is: the outcome
 *    report after recording the disposition, or Dispatch itself when it is "not now" (paused,
 *    outside the window, the wait was capped). Back to 2.
 *    A Dispatch that finds every pacing slot taken leaves its token in the organization's
 *    queue (use-cases/pacing.ts); the release that hands it a slot completes it with DISPATCH.
 * 5. Park (waitForTaskToken) stores its token on the paused run; the resume completes it with
 *    the next plan (a run resumed before the token was stored moves on at once). Back to 2.
 * 6. Any error that survives its retries goes to Mark Failed, which records it, then Failed.
 * Cost: 3 state transitions per step attempt (Route, Wait, Dispatch), but the first attempt
 * enters at its Wait, and 2 to finish (Route, Done): 7 for a two-step run. The schedule check
 * rides on Lambdas that run anyway instead of being a Task of its own (which would make 11). JSONPath only (no JSONata, no variables) so the local engine runs the same
 * definition.
 */
export class OutreachStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: OutreachStateMachineProps) {
    super(scope, id);
    const markFailed = this.markFailed(props.failFunction);
    const wait = new Wait(this, 'Wait Until Allowed', {
      time: WaitTime.timestampPath('$.plan.waitUntil'),
    });
    const dispatch = this.callback('Dispatch', props.dispatchFunction, markFailed, {
      timeout: props.outcomeTimeout ?? Duration.hours(24),
    });
    // A paused run waits here on its token, released by the resume: no timer, no transitions.
    // A year is the longest a standard execution lives anyway.
    const park = this.callback('Park', props.dispatchFunction, markFailed, {
      timeout: Duration.days(365),
      park: true,
    });
    const route = new Choice(this, 'Route')
      .when(Condition.stringEquals('$.plan.action', 'STEP'), wait)
      // A queued run handed a pacing slot: straight back to Dispatch, no Wait (2 transitions).
      .when(Condition.stringEquals('$.plan.action', 'DISPATCH'), dispatch)
      .when(Condition.stringEquals('$.plan.action', 'PARK'), park)
      .otherwise(new Succeed(this, 'Done'));
    wait.next(dispatch).next(route);
    park.next(route);

    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${id}-${this.node.addr.slice(0, 8)}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(Chain.start(wait)),
      tracingEnabled: true,
      // Standard executions may run a year; a sequence of steps spread over months fits.
      timeout: Duration.days(365),
      logs: { destination: logGroup, level: LogLevel.ERROR, includeExecutionData: false },
    });
  }

  /** The catch-all: records why the run stopped, then fails the execution. */
  private markFailed(failFunction: IFunction): LambdaInvoke {
    const markFailed = new LambdaInvoke(this, 'Mark Failed', {
      lambdaFunction: failFunction,
      payload: TaskInput.fromObject({
        executionId: JsonPath.stringAt('$.executionId'),
        error: JsonPath.objectAt('$.error'),
      }),
      resultPath: JsonPath.DISCARD,
      retryOnServiceExceptions: false,
    });
    markFailed.addRetry({
      errors: transientLambdaErrors,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
    });
    markFailed.addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(5),
      maxAttempts: 3,
      backoffRate: 2,
    });
    markFailed.next(
      new Fail(this, 'Failed', { error: 'ExecutionFailed', causePath: '$.error.Cause' })
    );
    return markFailed;
  }

  /**
   * A waitForTaskToken task on the dispatch function whose token's output is the next plan
   * (nothing else of the run's state changes), with retries and the catch-all.
   */
  private callback(
    name: string,
    fn: IFunction,
    markFailed: LambdaInvoke,
    options: { timeout: Duration; park?: boolean }
  ): LambdaInvoke {
    const task = new LambdaInvoke(this, name, {
      lambdaFunction: fn,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        taskToken: JsonPath.taskToken,
        executionId: JsonPath.stringAt('$.executionId'),
        stepIndex: JsonPath.numberAt('$.plan.stepIndex'),
        ...(options.park && { park: true }),
      }),
      resultSelector: {
        'action.$': '$.action',
        'stepIndex.$': '$.stepIndex',
        'waitUntil.$': '$.waitUntil',
      },
      resultPath: '$.plan',
      taskTimeout: Timeout.duration(options.timeout),
      retryOnServiceExceptions: false,
    });
    // A missing execution will not appear on a retry, and a stored state behind the run will
    // not catch up: fail at once (Mark Failed records why).
    task.addRetry({
      errors: ['ExecutionNotFoundError', 'ExecutionRegressedError'],
      maxAttempts: 0,
    });
    task.addRetry({
      errors: transientLambdaErrors,
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
    });
    // A retried Dispatch finds its attempt claimed and never contacts again
    // (use-cases/dispatch-step.ts); a retried Park stores the new token.
    task.addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(5),
      maxAttempts: 3,
      backoffRate: 2,
    });
    task.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    return task;
  }
}
