import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { envNames } from '../lambdas/shared/config.js';
import type { ChannelSettings } from './channel-settings.js';
import { AgentCredentials } from './constructs/agent-credentials.js';
import { LifecycleEvents } from './constructs/lifecycle-events.js';
import { OutreachAlarms } from './constructs/outreach-alarms.js';
import { OutreachApi } from './constructs/outreach-api.js';
import { OutreachChannel, stageUrl } from './constructs/outreach-channel.js';
import { OutreachFunction } from './constructs/outreach-function.js';
import { OutreachStateMachine } from './constructs/outreach-state-machine.js';
import { RunReconciler } from './constructs/run-reconciler.js';
import { StartSchedules } from './constructs/start-schedules.js';
import { dispatchReservedConcurrency, type PacingProps, pacingEnvironment } from './pacing.js';

export interface OutreachStackProps extends StackProps, PacingProps {
  table: ITable;
  /** Where step attempts go; required, so a deploy never ships the simulator unawares. */
  channel: ChannelSettings;
  /** Subscribed to the alarm topic when set. */
  alarmEmail?: string;
}

/** The stateless half: API, functions and the state machine. Safe to destroy and redeploy. */
export class OutreachStack extends Stack {
  /** Brings runs in line whose execution ended outside the API; its dead-letter queue needs an alarm. */
  readonly reconciler: RunReconciler;
  /** Lifecycle events to the bus and to subscribed webhooks; its dead-letter queue is redriven. */
  readonly lifecycleEvents: LifecycleEvents;

  constructor(scope: Construct, id: string, props: OutreachStackProps) {
    super(scope, id, props);
    const pacing = pacingEnvironment(props);

    // Each function is granted only the table commands its code sends (pinned by
    // test/unit/cdk/security-review.test.ts).
    const dispatch = new OutreachFunction(this, 'DispatchStep', {
      entry: 'lambdas/handlers/dispatch-step.ts',
      description: 'Contacts the recipient once per step attempt',
      // The simulator channel reports in-line after a short delay.
      timeout: Duration.seconds(60),
      environment: pacing.spread,
      reservedConcurrency: dispatchReservedConcurrency(props),
      // DeleteItem: a queued attempt leaves the pacing queue when it is handed a slot.
    }).bindTable(props.table, {
      actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
    });
    const fail = new OutreachFunction(this, 'FailExecution', {
      entry: 'lambdas/handlers/fail-execution.ts',
      description: 'Records why an execution failed',
      // Query: whether a webhook subscription wants the run's lifecycle event.
    }).bindTable(props.table, { actions: ['GetItem', 'UpdateItem', 'Query'] });

    const workflow = new OutreachStateMachine(this, 'ExecutionRunner', {
      dispatchFunction: dispatch.function,
      failFunction: fail.function,
    });

    this.reconciler = new RunReconciler(this, 'RunReconciler', {
      stateMachine: workflow.stateMachine,
      table: props.table,
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
    }).bindTable(props.table, {
      // BatchGetItem reads the runs of a page of the keys-only workflow index.
      actions: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
      // Lists a workflow's runs.
      queriedIndexes: ['gsi1'],
    });

    // Starts runs whose create died between storing them and starting them (see
    // start-pending-runs.ts): every minute, idempotent by execution name.
    const sweep = new OutreachFunction(this, 'StartPendingRuns', {
      entry: 'lambdas/handlers/start-pending-runs.ts',
      description: 'Starts stored runs whose start was never confirmed',
      timeout: Duration.seconds(50),
      environment: { [envNames.STATE_MACHINE_ARN]: workflow.stateMachine.stateMachineArn },
    }).bindTable(props.table, { actions: ['GetItem', 'DeleteItem', 'Query'] });
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
    // Takes back pacing slots whose lease ended and hands free ones to queued runs (see
    // use-cases/slot-handoff.ts): the recovery path for a crashed or lost attempt.
    const slotSweep = new OutreachFunction(this, 'SweepSlots', {
      entry: 'lambdas/handlers/sweep-slots.ts',
      description: 'Recovers pacing slots and hands them to queued runs',
      timeout: Duration.seconds(50),
    }).bindTable(props.table, {
      actions: ['GetItem', 'UpdateItem', 'DeleteItem', 'Query'],
      // Finds every organization's slots item.
      queriedIndexes: ['gsi1'],
    });
    new Rule(this, 'SlotSweepSchedule', {
      description: 'Runs the pacing slot sweep',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(slotSweep.function, { retryAttempts: 2 })],
    });
    // Provider webhooks (Retell, Twilio): verified by signature, they record outcomes (slots,
    // task tokens) and an inbound STOP suppresses the number and cancels its runs.
    const providerWebhooks = new OutreachFunction(this, 'ProviderWebhooks', {
      entry: 'lambdas/handlers/provider-webhooks.ts',
      description: 'Verified provider webhooks: outcomes and opt-outs',
      environment: {
        [envNames.STATE_MACHINE_ARN]: workflow.stateMachine.stateMachineArn,
        ...pacing.spread,
      },
    }).bindTable(props.table, {
      actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
    });
    const authorizer = new OutreachFunction(this, 'Authorizer', {
      entry: 'lambdas/handlers/authorizer.ts',
      description: 'X-API-Key to organization',
    }).bindTable(props.table, { actions: ['GetItem'] });

    workflow.stateMachine.grantStartExecution(api.function);
    startSchedules.allow(api.function);
    // The API writes agents' credentials; Dispatch reads them for the channel adapters.
    const agentCredentials = new AgentCredentials(this, 'AgentCredentials');
    agentCredentials.allowWrite(api.function);
    agentCredentials.allowRead(dispatch.function);
    agentCredentials.allowRead(providerWebhooks.function);
    // AWS SMS agents send through End User Messaging SMS with Dispatch's own role. Which number,
    // pool or sender id and configuration set is each agent's setting, chosen at run time.
    dispatch.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['sms-voice:SendTextMessage'],
        resources: [this.formatArn({ service: 'sms-voice', resource: '*' })],
      })
    );
    // Cancels stop the run's execution; Dispatch cancels runs of a deleted workflow too.
    workflow.stateMachine.grantExecution(api.function, 'states:StopExecution');
    workflow.stateMachine.grantExecution(providerWebhooks.function, 'states:StopExecution');
    // Outcome reports (api, provider webhooks) and "not now" answers (dispatch) complete tokens.
    workflow.stateMachine.grantTaskResponse(api.function);
    workflow.stateMachine.grantTaskResponse(providerWebhooks.function);
    // A separate policy, not the function's default one: the function must not depend on the
    // state machine that depends on it (CloudFormation would see a cycle).
    new Policy(this, 'DispatchTaskResponse', {
      roles: [dispatch.function.role as IRole, slotSweep.function.role as IRole],
      statements: [
        new PolicyStatement({
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
          resources: [workflow.stateMachine.stateMachineArn],
        }),
      ],
    });

    // Every function that changes a run's status publishes its lifecycle events.
    this.lifecycleEvents = new LifecycleEvents(this, 'LifecycleEvents', { table: props.table });
    for (const publisher of [api, dispatch, fail, providerWebhooks, this.reconciler.function])
      this.lifecycleEvents.publish(publisher.function);
    this.lifecycleEvents.manageSubscriptions(api.function);

    const rest = new OutreachApi(this, 'Http', {
      apiFunction: api.function,
      authorizerFunction: authorizer.function,
      providerWebhookFunction: providerWebhooks.function,
    });
    // Twilio signs the exact URL it called: the function rebuilds it on this base.
    providerWebhooks.function.addEnvironment(envNames.PUBLIC_API_URL, stageUrl(rest.api));
    new OutreachChannel(this, 'Channel', {
      settings: props.channel,
      dispatchFunction: dispatch.function,
      api: rest.api,
    });

    const alarms = new OutreachAlarms(this, 'Alarms', {
      stateMachine: workflow.stateMachine,
      functions: [
        { name: 'Api', function: api.function },
        { name: 'Authorizer', function: authorizer.function, errorsAreFaults: false },
        { name: 'ProviderWebhooks', function: providerWebhooks.function },
        { name: 'Dispatch', function: dispatch.function },
        { name: 'MarkFailed', function: fail.function },
        { name: 'StartSweep', function: sweep.function },
        { name: 'SlotSweep', function: slotSweep.function },
        { name: 'Reconciler', function: this.reconciler.function.function },
        { name: 'WebhookFanOut', function: this.lifecycleEvents.fanOut.function },
        // A failing endpoint is reported per record, not thrown: errors here are our own.
        { name: 'WebhookDelivery', function: this.lifecycleEvents.deliver.function },
      ],
      deadLetterQueues: [this.reconciler.deadLetterQueue, this.lifecycleEvents.deadLetterQueue],
      dispatchFunction: dispatch.function,
      api: rest.api,
      table: props.table,
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'ApiUrl', { value: rest.api.url });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'EventBusName', { value: this.lifecycleEvents.bus.eventBusName });
    // What `npm run webhooks:redrive` moves back (it reads cdk-outputs.json).
    new CfnOutput(this, 'WebhookDeadLetterQueueArn', {
      value: this.lifecycleEvents.deadLetterQueue.queueArn,
    });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
  }
}
