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
  planFunction: IFunction;
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
 * 1. Plan (the schedule-check Lambda) re-reads the execution and answers STEP with the instant
 *    the current step may run (capped to 7 days), or FINISH.
 * 2. Route sends STEP to the Wait and FINISH to Done.
 * 3. Wait Until Allowed sleeps until `plan.waitUntil` (TimestampPath, always under 24 days).
 * 4. Dispatch (waitForTaskToken) re-checks and contacts the recipient once; the outcome report
 *    completes its token, or Dispatch completes it itself when it is "not now". Back to 1.
 * 5. Any error that survives its retries goes to Mark Failed, which records it, then Failed.
 * Cost: 4 state transitions per step attempt (Plan, Route, Wait, Dispatch) and 3 to finish.
 * JSONPath only (no JSONata, no variables) so the local engine runs the same definition.
 */
export class OutreachStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: OutreachStateMachineProps) {
    super(scope, id);
    const executionId = JsonPath.stringAt('$.executionId');

    const markFailed = new LambdaInvoke(this, 'Mark Failed', {
      lambdaFunction: props.failFunction,
      payload: TaskInput.fromObject({ executionId, error: JsonPath.objectAt('$.error') }),
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

    const plan = new LambdaInvoke(this, 'Plan', {
      lambdaFunction: props.planFunction,
      payload: TaskInput.fromObject({ executionId }),
      resultSelector: {
        'action.$': '$.Payload.action',
        'stepIndex.$': '$.Payload.stepIndex',
        'waitUntil.$': '$.Payload.waitUntil',
      },
      resultPath: '$.plan',
      retryOnServiceExceptions: false,
    });

    const wait = new Wait(this, 'Wait Until Allowed', {
      time: WaitTime.timestampPath('$.plan.waitUntil'),
    });

    const dispatch = new LambdaInvoke(this, 'Dispatch', {
      lambdaFunction: props.dispatchFunction,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        taskToken: JsonPath.taskToken,
        executionId,
        stepIndex: JsonPath.numberAt('$.plan.stepIndex'),
      }),
      resultPath: JsonPath.DISCARD,
      taskTimeout: Timeout.duration(props.outcomeTimeout ?? Duration.hours(24)),
      retryOnServiceExceptions: false,
    });

    for (const task of [plan, dispatch]) {
      // A missing execution will not appear on a retry: fail at once.
      task.addRetry({ errors: ['ExecutionNotFoundError'], maxAttempts: 0 });
      task.addRetry({
        errors: transientLambdaErrors,
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
      });
      task.addRetry({
        errors: ['States.TaskFailed'],
        interval: Duration.seconds(5),
        maxAttempts: 3,
        backoffRate: 2,
      });
      task.addCatch(markFailed, { errors: ['States.ALL'], resultPath: '$.error' });
    }

    const route = new Choice(this, 'Route')
      .when(Condition.stringEquals('$.plan.action', 'STEP'), wait.next(dispatch).next(plan))
      .otherwise(new Succeed(this, 'Done'));

    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${id}-${this.node.addr.slice(0, 8)}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(Chain.start(plan).next(route)),
      tracingEnabled: true,
      // Standard executions may run a year; a sequence of steps spread over months fits.
      timeout: Duration.days(365),
      logs: { destination: logGroup, level: LogLevel.ERROR, includeExecutionData: false },
    });
  }
}
