import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { envNames } from '../../lambdas/shared/config.js';

export interface StartSchedulesProps {
  stateMachine: IStateMachine;
}

/**
 * One-time EventBridge Scheduler schedules (`run-<executionId>`) that start runs whose start
 * lies more than 15 minutes ahead, in a schedule group of this stack's own (`<stack>-runs`), so
 * the functions of one environment may touch only its own schedules, and deleting the stack
 * deletes them with the group. Scheduler assumes the role below, which may only start
 * executions of this state machine; the functions that create and delete schedules may pass
 * exactly that role.
 */
export class StartSchedules extends Construct {
  readonly role: Role;
  readonly groupName: string;
  private readonly scheduleArn: string;

  constructor(scope: Construct, id: string, props: StartSchedulesProps) {
    super(scope, id);
    this.role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Lets EventBridge Scheduler start scheduled outreach runs',
    });
    props.stateMachine.grantStartExecution(this.role);
    this.groupName = `${Stack.of(this).stackName}-runs`;
    new CfnScheduleGroup(this, 'Group', { name: this.groupName });
    this.scheduleArn = Arn.format(
      {
        service: 'scheduler',
        resource: 'schedule',
        resourceName: `${this.groupName}/run-*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      Stack.of(this)
    );
  }

  /** Lets a function create and delete run schedules, and pass the scheduler role. */
  allow(fn: IFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.scheduleArn],
      })
    );
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.role.roleArn] })
    );
    if ('addEnvironment' in fn) {
      const withEnvironment = fn as IFunction & { addEnvironment(k: string, v: string): void };
      withEnvironment.addEnvironment(envNames.SCHEDULER_ROLE_ARN, this.role.roleArn);
      withEnvironment.addEnvironment(envNames.SCHEDULE_GROUP, this.groupName);
    }
  }
}
