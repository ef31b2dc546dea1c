import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { envNames } from '../../lambdas/shared/config.js';
import { SERVICE_NAME } from '../../lambdas/shared/metric-names.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Template metadata key naming a function's source module; the local runtime reads it. */
export const HANDLER_METADATA_KEY = 'outreach:handler';

/** The DynamoDB item actions a function may be granted (never Scan or the batch writes). */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Query';

/** What a function does with the table: exactly the commands its code issues. */
export interface TableAccess {
  actions: readonly TableAction[];
  /** Global secondary indexes the function queries (each granted `dynamodb:Query` only). */
  queriedIndexes?: readonly string[];
}

export interface OutreachFunctionProps {
  /** Handler module, relative to the project root, exporting `handler`. */
  entry: string;
  description: string;
  /** @default 30 seconds */
  timeout?: Duration;
  environment?: Record<string, string>;
  /** @default one month */
  logRetention?: RetentionDays;
  /** Concurrency set aside for this function alone. @default none (the account's shared pool) */
  reservedConcurrency?: number;
}

/**
 * A Lambda with the project's defaults: Node 22 on arm64, ESM bundle built by the local esbuild
 * (never Docker), X-Ray, source maps, and its own log group with retention. Its role may write
 * to that log group only (no AWS managed policy, whose log grants cover every group).
 */
export class OutreachFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: OutreachFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: `${projectRoot}${props.entry}`,
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrency,
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // The SDK v3 ships in the Node 22 runtime; bundling it would only add cold-start time.
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    (this.function.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA_KEY, props.entry);
  }

  /**
   * Sets TABLE_NAME and grants exactly the access asked for: the actions on the table itself,
   * and Query on the named indexes only (ITable.grant would add every index, `index/*`).
   */
  bindTable(table: ITable, access: TableAccess): this {
    this.function.addEnvironment(envNames.TABLE_NAME, table.tableName);
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: access.actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
      })
    );
    const indexes = access.queriedIndexes ?? [];
    if (indexes.length > 0) {
      this.function.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        })
      );
    }
    return this;
  }
}
