import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { envNames } from '../lambdas/shared/config.js';
import { OutreachApi } from './constructs/outreach-api.js';
import { OutreachFunction } from './constructs/outreach-function.js';
import { OutreachStateMachine } from './constructs/outreach-state-machine.js';
import { StartSchedules } from './constructs/start-schedules.js';
import { dispatchReservedConcurrency, type PacingProps, pacingEnvironment } from './pacing.js';

export interface OutreachStackProps extends StackProps, PacingProps {
  table: ITable;
  /** simulator | manual | webhook. @default simulator */
  channel?: string;
  /** The agent endpoint the webhook channel POSTs to. */
  agentWebhookUrl?: string;
  /** The public base URL of this API, for the webhook's callbackUrl. */
  publicApiUrl?: string;
}

/** The stateless half: API, functions and the state machine. Safe to destroy and redeploy. */
export class OutreachStack extends Stack {
  constructor(scope: Construct, id: string, props: OutreachStackProps) {
    super(scope, id, props);
    const channelEnvironment: Record<string, string> = {
      [envNames.OUTREACH_CHANNEL]: props.channel ?? 'simulator',
      ...(props.agentWebhookUrl && { [envNames.AGENT_WEBHOOK_URL]: props.agentWebhookUrl }),
      ...(props.publicApiUrl && { [envNames.PUBLIC_API_URL]: props.publicApiUrl }),
    };
    const pacing = pacingEnvironment(props);

    const dispatch = new OutreachFunction(this, 'DispatchStep', {
      entry: 'lambdas/handlers/dispatch-step.ts',
      description: 'Contacts the recipient once per step attempt',
      // The simulator channel reports in-line after a short delay.
      timeout: Duration.seconds(60),
      environment: { ...channelEnvironment, ...pacing.spread },
      reservedConcurrency: dispatchReservedConcurrency(props),
    }).bindTable(props.table, 'readWrite');
    const fail = new OutreachFunction(this, 'FailExecution', {
      entry: 'lambdas/handlers/fail-execution.ts',
      description: 'Records why an execution failed',
    }).bindTable(props.table, 'readWrite');

    const workflow = new OutreachStateMachine(this, 'ExecutionRunner', {
      dispatchFunction: dispatch.function,
      failFunction: fail.function,
    });

    const startSchedules = new StartSchedules(this, 'StartSchedules', {
      stateMachine: workflow.stateMachine,
    });
    const api = new OutreachFunction(this, 'Api', {
      entry: 'lambdas/handlers/api.ts',
      description: 'Workflows API (/api/v1)',
      environment: {
        [envNames.STATE_MACHINE_ARN]: workflow.stateMachine.stateMachineArn,
        ...pacing.spread,
        ...pacing.limit,
      },
    }).bindTable(props.table, 'readWrite');

    // Starts runs whose create died between storing them and starting them (see
    // start-pending-runs.ts): every minute, idempotent by execution name.
    const sweep = new OutreachFunction(this, 'StartPendingRuns', {
      entry: 'lambdas/handlers/start-pending-runs.ts',
      description: 'Starts stored runs whose start was never confirmed',
      timeout: Duration.seconds(50),
      environment: { [envNames.STATE_MACHINE_ARN]: workflow.stateMachine.stateMachineArn },
    }).bindTable(props.table, 'readWrite');
    workflow.stateMachine.grantStartExecution(sweep.function);
    startSchedules.allow(sweep.function);
    new Rule(this, 'StartSweepSchedule', {
      description: 'Runs the pending-start sweep',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(sweep.function, {
          event: RuleTargetInput.fromObject({ graceSeconds: 60 }),
          retryAttempts: 2,
        }),
      ],
    });
    const authorizer = new OutreachFunction(this, 'Authorizer', {
      entry: 'lambdas/handlers/authorizer.ts',
      description: 'X-API-Key to organization',
    }).bindTable(props.table, 'getItem');

    workflow.stateMachine.grantStartExecution(api.function);
    startSchedules.allow(api.function);
    // Cancels stop the run's execution; Dispatch cancels runs of a deleted workflow too.
    workflow.stateMachine.grantExecution(api.function, 'states:StopExecution');
    // Outcome reports (api) and "not now" answers (dispatch) complete task tokens.
    workflow.stateMachine.grantTaskResponse(api.function);
    // A separate policy, not the function's default one: the function must not depend on the
    // state machine that depends on it (CloudFormation would see a cycle).
    new Policy(this, 'DispatchTaskResponse', {
      roles: [dispatch.function.role as IRole],
      statements: [
        new PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: [workflow.stateMachine.stateMachineArn],
        }),
      ],
    });

    const rest = new OutreachApi(this, 'Http', {
      apiFunction: api.function,
      authorizerFunction: authorizer.function,
    });

    new CfnOutput(this, 'ApiUrl', { value: rest.api.url });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
  }
}
