import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

/**
 * The stateful half: one DynamoDB table, on demand, point-in-time recovery on, retained when
 * the stack is deleted, with deletion protection; the stack has termination protection (README
 * "Stateful safety" says how to really delete it). Never rename the table's construct id.
 *
 * Key layout (lambdas/adapters/table-keys.ts is the code for it; README "Table layout"):
 * - `pk`/`sk`: organization `ORG#<org>`/`ORG`; org name `ORGNAME#<name>`/`ORGNAME`;
 *   API key `APIKEY#<sha256>`/`APIKEY`; workflow `ORG#<org>`/`WORKFLOW#<id>`; agent
 *   `ORG#<org>`/`AGENT#<agentId>` (its credentials are in Secrets Manager, not here);
 *   definition snapshot `SNAPSHOT#<sha256>`/`SNAPSHOT`; a run's state, contact and step
 *   attempts `EXECUTION#<id>`/`EXECUTION`, `CONTACT`, `ATTEMPT#<step>#<attempt>`, and its
 *   timeline records `TIMELINE#<at>#DECISION#<step>#<attempt>` or `TIMELINE#<at>#CONTROL#<n>`;
 *   step execution pointer `STEPEXEC#<id>`/`STEPEXEC`; pending start `STARTQ#<shard>`/
 *   `<createdAt>#<id>`; contact index `CONTACTIDX#<org>#PHONE|LEAD#<value>`/`EXECUTION#<id>`;
 *   idempotency record `IDEMPOTENCY#<org>#<sha256(key)>`/`IDEMPOTENCY`; request counter
 *   `RATELIMIT#<org>#<windowStartMs>`/`RATELIMIT` (expires through TTL on `expiresAt`);
 *   webhook subscription `ORG#<org>`/`WEBHOOK#<id>`; webhook delivery record
 *   `WEBHOOKDLV#<subscription>#<event>`/`WEBHOOKDLV` (expires through TTL on `expiresAt`).
 * - GSI `gsi1` (`gsi1pk`/`gsi1sk`): runs of a workflow, `WORKFLOW#<id>`/`EXECUTION#<id>`.
 *   It projects only the keys and `customerLeadId` (never changed after create), so the index
 *   is written when a run is created or deleted, not on each of its state updates; a list
 *   reads the page's state items from the table (lambdas/adapters/execution-queries.ts).
 */
export class DataStack extends Stack {
  readonly table: Table;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, { ...props, terminationProtection: props?.terminationProtection ?? true });
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      // Only per-window request counters carry it (adapters/request-counters.ts); no logic
      // depends on when DynamoDB deletes them.
      timeToLiveAttribute: 'expiresAt',
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['customerLeadId'],
    });
    // The api-key CLI writes to this table: `npm run api-key -- create --org X --table <TableName>`.
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
