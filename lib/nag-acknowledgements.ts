import { type Stack, Validations } from 'aws-cdk-lib';
import type { OutreachApp } from './build-app.js';

/**
 * The cdk-nag AwsSolutions findings this app keeps, each with why. Everything else the pack
 * reports is fixed in the constructs (own log-writing roles instead of the managed policy,
 * Query granted on the one index a function reads, TLS required on every queue and topic).
 *
 * The security review test (test/unit/cdk/security-review.test.ts) applies these and fails on
 * any finding left, and on any line here that no longer matches a finding. To keep a new
 * finding, add one line: `[finding id as the test prints it, one-line reason]`.
 *
 * Logical ids in finding ids are the ones the stateful-safety test pins.
 */
type Acknowledgement = readonly [finding: string, reason: string];

const STATE_MACHINE = 'ExecutionRunnerStateMachine32EE8532';
/** An ARN in this account and region, as cdk-nag prints it. */
const arnOf = (service: string, resource: string) =>
  `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
const machineName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${STATE_MACHINE}"}]}]}`;

const service: Acknowledgement[] = [
  [
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray writes and Step Functions log delivery, whose actions take no resource; the security review test pins that nothing else is granted on "*"',
  ],
  [
    'AwsSolutions-IAM5[Resource::<DispatchStepFunction983A8691.Arn>:*]',
    "CDK's LambdaInvoke also grants the function's versions; the state machine invokes only Dispatch and Mark Failed",
  ],
  [
    'AwsSolutions-IAM5[Resource::<FailExecutionFunctionFBA75D81.Arn>:*]',
    "CDK's LambdaInvoke also grants the function's versions; the state machine invokes only Dispatch and Mark Failed",
  ],
  [
    `AwsSolutions-IAM5[Resource::${arnOf('scheduler', 'schedule/OutreachService-runs/run-*')}]`,
    'One-time start schedules are named per run (run-<executionId>) when the run is created; the prefix is the narrowest ARN',
  ],
  [
    `AwsSolutions-IAM5[Resource::${arnOf('secretsmanager', 'secret:OutreachService/webhooks/*')}]`,
    "Each webhook subscription's signing secret is created with the subscription, named under the stack's prefix; only Api (create, delete) and DeliverWebhooks (read) hold it",
  ],
  [
    `AwsSolutions-IAM5[Resource::${arnOf('secretsmanager', 'secret:OutreachService/agents/*')}]`,
    "Agents' credential secrets are created per organization and agent at run time, and their ARNs end in random characters; the stack's prefix is the narrowest ARN",
  ],
  [
    `AwsSolutions-IAM5[Resource::${arnOf('sms-voice', '*')}]`,
    "Dispatch's one sms-voice action, SendTextMessage, in this account and region: each AWS SMS agent names its own phone number, pool or sender id and configuration set at run time, so no narrower ARN is known at deploy",
  ],
  [
    `AwsSolutions-IAM5[Resource::${arnOf('states', `execution:${machineName}:*`)}]`,
    'A cancel stops the execution of any run of this state machine; executions are named per run',
  ],
  [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    "The account's API Gateway logging role (needed for access logs) takes AWS's managed policy, the one API Gateway documents for it",
  ],
  [
    'AwsSolutions-L1',
    'Node.js 22 on purpose: maintained until April 2027, and what the local runtime and the esbuild target use; move both together',
  ],
  [
    'AwsSolutions-SF1',
    'ERROR level: ALL would log about 25 events per two-step run, about 2% of its cost; X-Ray and the execution history show every transition',
  ],
  [
    'AwsSolutions-COG4',
    'Callers are organizations with API keys, checked on every method by the X-API-Key REQUEST authorizer; there are no Cognito users',
  ],
  [
    'AwsSolutions-APIG2',
    'The api function validates every body and parameter (zod) and answers 400 with field paths in the error envelope; a gateway validator would drop them',
  ],
  [
    'AwsSolutions-APIG3',
    'No WAF (a web ACL costs about $6 a month before requests): every route needs an API key, and the stage is throttled',
  ],
  [
    'AwsSolutions-APIG6',
    'Execution logs go to a log group API Gateway creates outside the stack, kept forever; the JSON access log and the api function log every request',
  ],
];

const data: Acknowledgement[] = [];

/** The acknowledgements of each stack of the app. */
export function nagAcknowledgements(app: OutreachApp): Array<[Stack, Acknowledgement[]]> {
  return [
    [app.data, data],
    [app.service, service],
  ];
}

/** Records every acknowledgement on its stack, where cdk-nag looks for it. */
export function acknowledgeNagFindings(app: OutreachApp): void {
  for (const [stack, acknowledgements] of nagAcknowledgements(app)) {
    for (const [id, reason] of acknowledgements) Validations.of(stack).acknowledge({ id, reason });
  }
}
