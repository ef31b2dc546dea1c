import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  LIFECYCLE_EVENT_SOURCE,
  lifecycleEventTypes,
  WEBHOOK_MAX_RECEIVES,
} from '../../lambdas/schemas/lifecycle-events.js';
import { envNames } from '../../lambdas/shared/config.js';
import { OutreachFunction } from './outreach-function.js';

export interface LifecycleEventsProps {
  table: ITable;
}

const FUNCTION_TIMEOUT = Duration.seconds(30);
/** Lambda's advice for SQS sources: at least six times the function timeout. */
const VISIBILITY_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6);
const SECURE_QUEUE = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true } as const;

/**
 * Lifecycle events out (execution.created … execution.failed):
 * 1. The functions that change runs put each event on this deployment's own EventBridge bus
 *    (`publish`), where a team may add rules of its own.
 * 2. A rule sends lifecycle events to the Events queue; FanOutWebhooks reads the
 *    organization's subscriptions and queues one delivery message per subscribed endpoint.
 *    Fanning out first means each endpoint is retried on its own: a failing endpoint never
 *    makes a healthy one receive an event twice, and never holds its deliveries back.
 * 3. DeliverWebhooks POSTs each delivery, signed per Standard Webhooks, and reports a failure
 *    back alone (partial batch response) after moving its next try out by the retry schedule
 *    (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). After the last try the message waits in the
 *    dead-letter queue (14 days), which an alarm watches; `npm run webhooks:redrive` moves
 *    its messages back to the queue they came from (SQS StartMessageMoveTask).
 * Signing secrets are Secrets Manager secrets under `secretPrefix`: Api creates and deletes
 * them, DeliverWebhooks reads them, nothing else may.
 */
export class LifecycleEvents extends Construct {
  readonly bus: EventBus;
  readonly eventQueue: Queue;
  readonly deliveryQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly fanOut: OutreachFunction;
  readonly deliver: OutreachFunction;
  readonly secretPrefix: string;

  constructor(scope: Construct, id: string, props: LifecycleEventsProps) {
    super(scope, id);
    this.secretPrefix = `${Stack.of(this).stackName}/webhooks/`;
    this.bus = new EventBus(this, 'Bus', { description: 'Outreach lifecycle events' });
    this.deadLetterQueue = new Queue(this, 'WebhookDeadLetters', {
      ...SECURE_QUEUE,
      retentionPeriod: Duration.days(14),
    });
    this.eventQueue = new Queue(this, 'EventQueue', {
      ...SECURE_QUEUE,
      visibilityTimeout: VISIBILITY_TIMEOUT,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    this.deliveryQueue = new Queue(this, 'Deliveries', {
      ...SECURE_QUEUE,
      visibilityTimeout: VISIBILITY_TIMEOUT,
      // The retry schedule spans about 27 hours; the default 4 days keeps a margin.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_RECEIVES },
    });
    new Rule(this, 'ToWebhooks', {
      description: 'Lifecycle events to the webhook fan-out',
      eventBus: this.bus,
      // Only events a subscription wants: the rest cost no queue, fan-out or delivery.
      eventPattern: {
        source: [LIFECYCLE_EVENT_SOURCE],
        detailType: [...lifecycleEventTypes],
        detail: { webhooks: [true] },
      },
      // EventBridge itself retries a refused send for 24 hours.
      targets: [new SqsQueue(this.eventQueue)],
    });
    this.fanOut = this.fanOutFunction(props.table);
    this.deliver = this.deliverFunction(props.table);
  }

  private fanOutFunction(table: ITable): OutreachFunction {
    const fanOut = new OutreachFunction(this, 'FanOutWebhooks', {
      entry: 'lambdas/handlers/fan-out-webhooks.ts',
      description: 'Queues one webhook delivery per subscribed endpoint',
      timeout: FUNCTION_TIMEOUT,
      environment: { [envNames.WEBHOOK_DELIVERY_QUEUE_URL]: this.deliveryQueue.queueUrl },
    }).bindTable(table, { actions: ['Query'] });
    this.deliveryQueue.grantSendMessages(fanOut.function);
    fanOut.function.addEventSource(
      new SqsEventSource(this.eventQueue, { batchSize: 10, reportBatchItemFailures: true })
    );
    return fanOut;
  }

  private deliverFunction(table: ITable): OutreachFunction {
    const deliver = new OutreachFunction(this, 'DeliverWebhooks', {
      entry: 'lambdas/handlers/deliver-webhooks.ts',
      description: 'POSTs signed lifecycle events to subscribed endpoints',
      timeout: FUNCTION_TIMEOUT,
      environment: {
        [envNames.WEBHOOK_DELIVERY_QUEUE_URL]: this.deliveryQueue.queueUrl,
        [envNames.WEBHOOK_SECRET_PREFIX]: this.secretPrefix,
      },
    }).bindTable(table, { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] });
    this.grantSecrets(deliver.function, ['secretsmanager:GetSecretValue']);
    // The event source grants ChangeMessageVisibility too, which the retry schedule uses.
    deliver.function.addEventSource(
      new SqsEventSource(this.deliveryQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // Slow endpoints hold a delivery for up to 10 s: a burst stays a trickle.
        maxConcurrency: 5,
      })
    );
    return deliver;
  }

  /** A function that changes runs: it puts their lifecycle events on the bus. */
  publish(fn: LambdaFunction): void {
    fn.addEnvironment(envNames.EVENT_BUS_NAME, this.bus.eventBusName);
    this.bus.grantPutEventsTo(fn);
  }

  /** The API: creates a subscription's signing secret, and deletes it with the subscription. */
  manageSubscriptions(fn: LambdaFunction): void {
    fn.addEnvironment(envNames.WEBHOOK_SECRET_PREFIX, this.secretPrefix);
    this.grantSecrets(fn, ['secretsmanager:CreateSecret', 'secretsmanager:DeleteSecret']);
  }

  private grantSecrets(grantee: IGrantable, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions,
        resources: [
          Stack.of(this).formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${this.secretPrefix}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      })
    );
  }
}
