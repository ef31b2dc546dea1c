import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { type LocalStateMachine, TASK_TOKEN_SENTINEL } from './asl.js';
import type { LambdaRuntime } from './lambda-runtime.js';
import type { ScaledClock } from './scaled-clock.js';

type JSONValue = Parameters<StateMachine['run']>[0];

export const CHECKPOINT_TABLE = 'LocalStepFunctionsExecutions';

/** An error the SDK client sees with its AWS name (awsJson `__type`). */
export class AwsApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

interface Checkpoint {
  pk: string;
  stateMachineArn: string;
  name: string;
  status: Status;
  /** The state to start from when resuming, and that state's raw input. */
  state: string;
  input: string;
  startDate: number;
  stopDate?: number;
  error?: string;
  cause?: string;
  output?: string;
}

interface Pending {
  executionArn: string;
  resolve: (value: JSONValue) => void;
  reject: (error: Error) => void;
}

interface Running {
  abort: () => void;
  tokens: Set<string>;
  aborts: AbortController;
}

/**
 * Step Functions for the local runtime: runs the synthesized ASL with aws-local-stepfunctions,
 * adds what the library lacks (task-token callbacks, durable executions) and answers the few
 * API calls the app makes. Durability: at the entry of every wait and callback state the
 * state's input is saved; at boot every RUNNING execution restarts from its saved state. A
 * restarted callback state calls its handler again with a new token, which is safe because
 * Dispatch is idempotent per step attempt (it never contacts twice).
 */
export class StepFunctionsEngine {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Map<string, Running>();
  private readonly settled = new Set<Promise<unknown>>();
  private shuttingDown = false;
  /** For the benchmark: state transitions (state entries, as Step Functions bills them). */
  readonly stats = { stateTransitions: 0, byState: new Map<string, number>() };

  constructor(
    machines: LocalStateMachine[],
    private readonly lambdas: LambdaRuntime,
    private readonly db: DynamoDBDocumentClient,
    private readonly clock: ScaledClock
  ) {
    for (const machine of machines) this.machines.set(machine.arn, machine);
  }

  /** Executions running in this process right now. */
  get activeExecutions(): number {
    return this.running.size;
  }

  executionArn(stateMachineArn: string, name: string): string {
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async startExecution(
    stateMachineArn: string,
    name: string | undefined,
    input: string
  ): Promise<{ executionArn: string; startDate: number }> {
    const machine = this.machines.get(stateMachineArn);
    if (!machine)
      throw new AwsApiError(
        'StateMachineDoesNotExist',
        `State machine ${stateMachineArn} does not exist`
      );
    const executionName = name ?? randomUUID();
    const executionArn = this.executionArn(stateMachineArn, executionName);
    const checkpoint: Checkpoint = {
      pk: executionArn,
      stateMachineArn,
      name: executionName,
      status: 'RUNNING',
      state: machine.definition.StartAt,
      input,
      startDate: Date.now(),
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: CHECKPOINT_TABLE,
          Item: checkpoint,
          ConditionExpression: 'attribute_not_exists(pk)',
        })
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new AwsApiError('ExecutionAlreadyExists', `Execution ${executionArn} already exists`);
      }
      throw error;
    }
    this.launch(machine, checkpoint);
    return { executionArn, startDate: checkpoint.startDate };
  }

  /** Restarts every execution that was running when the process last stopped. */
  async resumeAll(): Promise<number> {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({ TableName: CHECKPOINT_TABLE, ExclusiveStartKey: startKey })
      );
      for (const item of (page.Items ?? []) as Checkpoint[]) {
        const machine = this.machines.get(item.stateMachineArn);
        if (item.status !== 'RUNNING' || !machine || !machine.definition.States[item.state])
          continue;
        this.launch(machine, item);
        count++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  private launch(machine: LocalStateMachine, checkpoint: Checkpoint): void {
    const executionArn = checkpoint.pk;
    const aborts = new AbortController();
    const run: Running = { abort: () => undefined, tokens: new Set(), aborts };
    this.running.set(executionArn, run);
    const handlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
    for (const [stateName, task] of machine.tasks) {
      handlers[stateName] = async (input) => {
        const parameters = input as Record<string, any>;
        if (task.kind === 'sleep') {
          await this.clock.sleepUntil(new Date(parameters.until).getTime(), aborts.signal);
          return {};
        }
        if (task.kind === 'invoke') {
          const payload = await this.lambdas.invoke(task.functionId, parameters.Payload);
          return {
            StatusCode: 200,
            ExecutedVersion: '$LATEST',
            Payload: (payload ?? null) as JSONValue,
          };
        }
        return this.callback(executionArn, run, task.functionId, parameters.Payload);
      };
    }
    const stateMachine = new StateMachine(
      { ...machine.definition, StartAt: checkpoint.state },
      { validationOptions: { noValidate: true } }
    );
    const execution = stateMachine.run(JSON.parse(checkpoint.input) as JSONValue, {
      overrides: { taskResourceLocalHandlers: handlers },
      context: {
        Task: { Token: TASK_TOKEN_SENTINEL },
        Execution: {
          Id: executionArn,
          Name: checkpoint.name,
          Input: JSON.parse(checkpoint.input),
          StartTime: new Date(checkpoint.startDate).toISOString(),
        },
      },
      noThrowOnAbort: true,
    });
    run.abort = execution.abort;

    const drained = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type !== 'StateEntered') continue;
        this.stats.stateTransitions++;
        const name = event.state.name;
        this.stats.byState.set(name, (this.stats.byState.get(name) ?? 0) + 1);
        if (
          !machine.checkpointStates.has(event.state.name) ||
          this.shuttingDown ||
          aborts.signal.aborted
        )
          continue;
        await this.save({
          ...checkpoint,
          state: event.state.name,
          input: JSON.stringify(event.state.input),
        });
      }
    })();
    const finished = execution.result.then(
      (output) =>
        output === null && aborts.signal.aborted
          ? { status: 'ABORTED' as const }
          : { status: 'SUCCEEDED' as const, output: JSON.stringify(output) },
      (error: Error & { cause?: any }) => ({
        status: 'FAILED' as const,
        error: String(error.cause?.name ?? error.name),
        cause: String(error.cause?.message ?? error.message),
      })
    );
    const done = Promise.all([drained.catch(() => undefined), finished]).then(
      async ([, outcome]) => {
        this.running.delete(executionArn);
        for (const token of run.tokens)
          this.pending.get(token)?.reject(new AwsApiError('ExecutionEnded', 'Execution ended'));
        if (this.shuttingDown) return;
        const current = await this.get(executionArn);
        if (current?.status !== 'RUNNING') return; // StopExecution already recorded ABORTED
        await this.save({ ...(current ?? checkpoint), ...outcome, stopDate: Date.now() });
      }
    );
    this.settled.add(done);
    done.finally(() => this.settled.delete(done));
  }

  private callback(
    executionArn: string,
    run: Running,
    functionId: string,
    payload: Record<string, unknown>
  ): Promise<JSONValue> {
    const token = `${randomUUID()}${randomUUID()}`;
    const withToken = Object.fromEntries(
      Object.entries(payload).map(([key, value]) => [
        key,
        value === TASK_TOKEN_SENTINEL ? token : value,
      ])
    );
    const result = new Promise<JSONValue>((resolve, reject) => {
      this.pending.set(token, { executionArn, resolve, reject });
    });
    run.tokens.add(token);
    const cleanup = () => {
      this.pending.delete(token);
      run.tokens.delete(token);
    };
    result.then(cleanup, cleanup);
    // The handler's own failure fails the task, as Lambda's would; its result is ignored.
    this.lambdas
      .invoke(functionId, withToken)
      .catch((error: Error) => this.pending.get(token)?.reject(error));
    return result;
  }

  sendTaskSuccess(token: string, output: string): void {
    const pending = this.pending.get(token);
    if (!pending) throw new AwsApiError('TaskTimedOut', 'Task Timed Out: the token is not waiting');
    pending.resolve(JSON.parse(output) as JSONValue);
  }

  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): void {
    const pending = this.pending.get(token);
    if (!pending) throw new AwsApiError('TaskTimedOut', 'Task Timed Out: the token is not waiting');
    const failure = new Error(cause ?? '');
    failure.name = error ?? 'States.TaskFailed';
    pending.reject(failure);
  }

  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<number> {
    const current = await this.get(executionArn);
    if (!current)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution ${executionArn} does not exist`);
    const stopDate = Date.now();
    if (current.status === 'RUNNING') {
      await this.save({ ...current, status: 'ABORTED', stopDate, error, cause });
      const run = this.running.get(executionArn);
      run?.aborts.abort();
      run?.abort();
    }
    return stopDate;
  }

  async describeExecution(executionArn: string): Promise<Checkpoint> {
    const current = await this.get(executionArn);
    if (!current)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution ${executionArn} does not exist`);
    return current;
  }

  /** Stops running executions without recording an end, so the next boot resumes them. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const run of this.running.values()) {
      run.aborts.abort();
      run.abort();
    }
    await Promise.allSettled([...this.settled]);
  }

  private async get(executionArn: string): Promise<Checkpoint | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: CHECKPOINT_TABLE,
        Key: { pk: executionArn },
        ConsistentRead: true,
      })
    );
    return Item as Checkpoint | undefined;
  }

  private async save(checkpoint: Checkpoint): Promise<void> {
    await this.db.send(new PutCommand({ TableName: CHECKPOINT_TABLE, Item: checkpoint }));
  }
}
