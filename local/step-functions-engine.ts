import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalStateMachine, LocalTask } from './asl.js';
import { AwsApiError } from './aws-api-error.js';
import { type Checkpoint, CheckpointStore } from './checkpoints.js';
import type { LambdaRuntime } from './lambda-runtime.js';
import type { ScaledClock } from './scaled-clock.js';
import {
  type Execution,
  type Outcome,
  outcomeOf,
  runFrom,
  type TaskHandler,
} from './state-machine-run.js';
import { type JSONValue, TaskTokens } from './task-tokens.js';

interface Running {
  abort: () => void;
  tokens: Set<string>;
  aborts: AbortController;
  /** Aborted when the run stops in this process, which disarms its execution timeout. */
  stopped: AbortController;
}

/**
 * Step Functions for the local runtime: runs the synthesized ASL with aws-local-stepfunctions,
 * adds what the library lacks (task-token callbacks, durable executions) and answers the few
 * API calls the app makes. Durability: at the entry of every wait and callback state the
 * state's input is saved; at boot every RUNNING execution restarts from its saved state. A
 * restarted callback state calls its handler again with a new token, which is safe because
 * Dispatch is idempotent per step attempt (it never contacts twice). The machine's TimeoutSeconds
 * counts from the execution's start on the scaled clock, across restarts, as on AWS.
 */
export class StepFunctionsEngine {
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly running = new Map<string, Running>();
  private readonly settled = new Set<Promise<unknown>>();
  private readonly checkpoints: CheckpointStore;
  private readonly tokens = new TaskTokens();
  private shuttingDown = false;
  /** For the benchmark: state transitions (state entries, as Step Functions bills them). */
  readonly stats = { stateTransitions: 0, byState: new Map<string, number>() };

  constructor(
    machines: LocalStateMachine[],
    private readonly lambdas: LambdaRuntime,
    db: DynamoDBDocumentClient,
    private readonly clock: ScaledClock
  ) {
    for (const machine of machines) this.machines.set(machine.arn, machine);
    this.checkpoints = new CheckpointStore(db);
  }

  /** Calls `listener` once with every execution that ends, however it ends. */
  onExecutionEnd(listener: (ended: Checkpoint) => void): void {
    this.checkpoints.onEnd(listener);
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
    if (!(await this.checkpoints.create(checkpoint)))
      throw new AwsApiError('ExecutionAlreadyExists', `Execution ${executionArn} already exists`);
    this.launch(machine, checkpoint);
    return { executionArn, startDate: checkpoint.startDate };
  }

  /** Restarts every execution that was running when the process last stopped. */
  async resumeAll(): Promise<number> {
    let count = 0;
    for await (const item of this.checkpoints.all()) {
      const machine = this.machines.get(item.stateMachineArn);
      if (item.status !== 'RUNNING' || !machine || !machine.definition.States[item.state]) continue;
      this.launch(machine, item);
      count++;
    }
    return count;
  }

  private launch(machine: LocalStateMachine, checkpoint: Checkpoint): void {
    const run: Running = {
      abort: () => undefined,
      tokens: new Set(),
      aborts: new AbortController(),
      stopped: new AbortController(),
    };
    this.running.set(checkpoint.pk, run);
    const execution = runFrom(machine, checkpoint, this.taskHandlers(machine, run));
    run.abort = execution.abort;
    const drained = this.drain(machine, checkpoint, execution.eventLogs, run.aborts.signal);
    const finished = outcomeOf(execution.result, run.aborts.signal);
    const done = Promise.all([drained.catch(() => undefined), finished]).then(([, outcome]) =>
      this.settle(checkpoint, run, outcome)
    );
    this.settled.add(done);
    if (machine.timeoutSeconds) {
      const deadline = checkpoint.startDate + machine.timeoutSeconds * 1000;
      this.timeOutAt(deadline, checkpoint.pk, run).catch((error) =>
        console.error('local engine: could not time an execution out', error)
      );
    }
    // Recording the end can fail (the store is closing); that must not crash the process.
    done
      .catch((error) => console.error('local engine: could not record an execution end', error))
      .finally(() => this.settled.delete(done));
  }

  private taskHandlers(machine: LocalStateMachine, run: Running): Record<string, TaskHandler> {
    const handlers: Record<string, TaskHandler> = {};
    for (const [stateName, task] of machine.tasks)
      handlers[stateName] = (input) => this.runTask(task, input, run);
    return handlers;
  }

  /** A Task state's work; `input` is its Parameters: a sleep's deadline or a Lambda payload. */
  private async runTask(task: LocalTask, input: JSONValue, run: Running): Promise<JSONValue> {
    if (task.kind === 'sleep') {
      const { until } = input as { until: string };
      await this.clock.sleepUntil(new Date(until).getTime(), run.aborts.signal);
      return {};
    }
    const { Payload } = input as { Payload: Record<string, unknown> };
    if (task.kind === 'invoke') {
      const payload = await this.lambdas.invoke(task.functionId, Payload);
      return {
        StatusCode: 200,
        ExecutedVersion: '$LATEST',
        Payload: (payload ?? null) as JSONValue,
      };
    }
    return this.tokens.wait(run.tokens, Payload, (payload) =>
      this.lambdas.invoke(task.functionId, payload)
    );
  }

  /**
   * Reads the run's event log to its end (the library buffers it without bound otherwise):
   * counts state entries and checkpoints the entry of every wait and callback state.
   */
  private async drain(
    machine: LocalStateMachine,
    checkpoint: Checkpoint,
    events: Execution['eventLogs'],
    aborted: AbortSignal
  ): Promise<void> {
    for await (const event of events) {
      if (event.type !== 'StateEntered') continue;
      const name = event.state.name;
      this.stats.stateTransitions++;
      this.stats.byState.set(name, (this.stats.byState.get(name) ?? 0) + 1);
      if (!machine.checkpointStates.has(name) || this.shuttingDown || aborted.aborted) continue;
      await this.checkpoints.save({
        ...checkpoint,
        state: name,
        input: JSON.stringify(event.state.input),
      });
    }
  }

  /** Ends the run TIMED_OUT when the scaled clock reaches its deadline first. */
  private async timeOutAt(deadline: number, executionArn: string, run: Running): Promise<void> {
    try {
      await this.clock.sleepUntil(deadline, run.stopped.signal);
    } catch {
      return; // the run ended or the process is stopping
    }
    if (this.shuttingDown || !(await this.checkpoints.end(executionArn, { status: 'TIMED_OUT' })))
      return;
    run.aborts.abort();
    run.abort();
  }

  /** Records how the run ended, unless the process is stopping (the next boot resumes it). */
  private async settle(checkpoint: Checkpoint, run: Running, outcome: Outcome): Promise<void> {
    this.running.delete(checkpoint.pk);
    run.stopped.abort();
    this.tokens.endAll(run.tokens);
    if (this.shuttingDown) return;
    // A stop or a timeout already recorded its end; this one then finds the run ended.
    await this.checkpoints.end(checkpoint.pk, outcome);
  }

  sendTaskSuccess(token: string, output: string): void {
    this.tokens.succeed(token, output);
  }

  sendTaskFailure(token: string, error: string | undefined, cause: string | undefined): void {
    this.tokens.fail(token, error, cause);
  }

  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<number> {
    const current = await this.checkpoints.get(executionArn);
    if (!current)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution ${executionArn} does not exist`);
    const ended = await this.checkpoints.end(executionArn, { status: 'ABORTED', error, cause });
    if (ended) {
      const run = this.running.get(executionArn);
      run?.aborts.abort();
      run?.abort();
    }
    return ended?.stopDate ?? Date.now();
  }

  async describeExecution(executionArn: string): Promise<Checkpoint> {
    const current = await this.checkpoints.get(executionArn);
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
}
