import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';

export const CHECKPOINT_TABLE = 'LocalStepFunctionsExecutions';

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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

/** How an execution ended, as DescribeExecution and the status-change event tell it. */
export type End = Pick<Checkpoint, 'status' | 'error' | 'cause' | 'output'>;

/** The engine's own dynalite table: one item per execution, rewritten at every checkpoint. */
export class CheckpointStore {
  private readonly endListeners: Array<(ended: Checkpoint) => void> = [];
  /** Executions whose end is being recorded: a stop, a timeout and the run's own end may race. */
  private readonly ending = new Set<string>();

  constructor(private readonly db: DynamoDBDocumentClient) {}

  onEnd(listener: (ended: Checkpoint) => void): void {
    this.endListeners.push(listener);
  }

  /**
   * Records a RUNNING execution's end and tells the listeners, once; undefined when it had
   * already ended.
   */
  async end(executionArn: string, end: End): Promise<Checkpoint | undefined> {
    if (this.ending.has(executionArn)) return undefined;
    this.ending.add(executionArn);
    try {
      const current = await this.get(executionArn);
      if (current?.status !== 'RUNNING') return undefined;
      const ended: Checkpoint = { ...current, ...end, stopDate: Date.now() };
      await this.save(ended);
      for (const listener of this.endListeners) listener(ended);
      return ended;
    } finally {
      this.ending.delete(executionArn);
    }
  }

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
