import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';

export const CHECKPOINT_TABLE = 'LocalStepFunctionsExecutions';

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** One execution as the local engine stores it; DescribeExecution answers from it. */
export interface Checkpoint {
  pk: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** The state to start from when resuming, and that state's raw input. */
  state: string;
  input: string;
  startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
  output?: string;
}

/** The engine's own dynalite table: one item per execution, rewritten at every checkpoint. */
export class CheckpointStore {
  constructor(private readonly db: DynamoDBDocumentClient) {}

  /** Stores a new execution; false when one with the same ARN exists already. */
  async create(checkpoint: Checkpoint): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: CHECKPOINT_TABLE,
          Item: checkpoint,
          ConditionExpression: 'attribute_not_exists(pk)',
        })
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async get(executionArn: string): Promise<Checkpoint | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: CHECKPOINT_TABLE,
        Key: { pk: executionArn },
        ConsistentRead: true,
      })
    );
    return Item as Checkpoint | undefined;
  }

  async save(checkpoint: Checkpoint): Promise<void> {
    await this.db.send(new PutCommand({ TableName: CHECKPOINT_TABLE, Item: checkpoint }));
  }

  /** Every stored execution, one scan page at a time. */
  async *all(): AsyncGenerator<Checkpoint> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({ TableName: CHECKPOINT_TABLE, ExclusiveStartKey: startKey })
      );
      yield* (page.Items ?? []) as Checkpoint[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
}
