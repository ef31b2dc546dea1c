import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  EXECUTION_STATUS_CHANGE,
  reconciledEndings,
} from '../../lambdas/schemas/execution-events.js';
import { envNames } from '../../lambdas/shared/config.js';
import { OutreachFunction } from './outreach-function.js';

export interface RunReconcilerProps {
  stateMachine: IStateMachine;
  table: ITable;
}

const FUNCTION_TIMEOUT = Duration.seconds(30);

/**
 * Runs whose execution ends outside the API (TimeoutSeconds reached, StopExecution from the
 * console, Mark Failed out of retries) would otherwise keep an active status forever. Step
 * Functions reports every execution end to EventBridge; a rule sends this state machine's
 * FAILED, TIMED_OUT and ABORTED ends to a queue, and the ReconcileRuns function marks each such
 * run FAILED with how its execution ended (runs the API already ended are left alone).
 *
 * The queue keeps an end while the function or the table is unavailable; a record that fails
 * five receives, or an event EventBridge could not deliver to the queue, lands in the
 * dead-letter queue (kept 14 days), which is what an alarm should watch.
 */
export class RunReconciler extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: OutreachFunction;

  constructor(scope: Construct, id: string, props: RunReconcilerProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'ExecutionEnds', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda's advice for SQS sources: at least six times the function timeout, so a record
      // is not delivered again while a throttled or retried invocation still holds it.
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    new Rule(this, 'ExecutionEnded', {
      description: 'Execution ends of the outreach state machine that the API did not make',
      eventPattern: {
        source: ['aws.states'],
        detailType: [EXECUTION_STATUS_CHANGE],
        detail: {
          status: [...reconciledEndings],
          stateMachineArn: [props.stateMachine.stateMachineArn],
        },
      },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue })],
    });

    this.function = new OutreachFunction(this, 'ReconcileRuns', {
      entry: 'lambdas/handlers/reconcile-runs.ts',
      description: 'Marks runs FAILED whose execution ended outside the API',
      timeout: FUNCTION_TIMEOUT,
      environment: { [envNames.STATE_MACHINE_ARN]: props.stateMachine.stateMachineArn },
    });
    // It reads a run's state item and updates it: nothing else, and no index.
    // Query: whether a webhook subscription wants the run's lifecycle event.
    this.function.bindTable(props.table, { actions: ['GetItem', 'UpdateItem', 'Query'] });
    const fn = this.function.function;
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // A burst of ends (runs created together time out together) stays a trickle of writes
        // and never takes the account's concurrency from Dispatch.
        maxConcurrency: 2,
      })
    );
  }
}
