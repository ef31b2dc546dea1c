import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ScaledClock } from './scaled-clock.js';
import type { StepFunctionsEngine } from './step-functions-engine.js';

/** The local engine's own table of pending one-time schedules (survives restarts). */
export const SCHEDULE_TABLE = 'LocalSchedules';

const START_EXECUTION_TARGET = 'arn:aws:scheduler:::aws-sdk:sfn:startExecution';

interface StoredSchedule {
  pk: string;
  at: number;
  /** The universal target's input: StartExecution's parameters. */
  input: string;
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

/**
 * EventBridge Scheduler on loopback, for the unchanged SDK client behind SCHEDULER_ENDPOINT:
 * CreateSchedule and DeleteSchedule of one-time `at(...)` schedules whose target is Step
 * Functions' StartExecution (the only kind the app makes). Schedules are stored in the data
 * folder and fire on the scaled clock, also after a restart; a fired schedule deletes itself.
 */
export class LocalScheduler {
  private readonly armed = new Map<string, AbortController>();

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly clock: ScaledClock,
    private readonly engine: StepFunctionsEngine
  ) {}

  async create(name: string, body: any): Promise<void> {
    const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(
      body.ScheduleExpression ?? ''
    );
    if (!match || body.Target?.Arn !== START_EXECUTION_TARGET) {
      throw Object.assign(new Error('Only one-time StartExecution schedules are emulated'), {
        type: 'ValidationException',
        status: 400,
      });
    }
    const schedule = { pk: name, at: Date.parse(`${match[1]}Z`), input: String(body.Target.Input) };
    try {
      await this.db.send(
        new PutCommand({
          TableName: SCHEDULE_TABLE,
          Item: schedule,
          ConditionExpression: 'attribute_not_exists(pk)',
        })
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      throw Object.assign(new Error(`Schedule ${name} already exists`), {
        type: 'ConflictException',
        status: 409,
      });
    }
    this.arm(schedule);
  }

  async delete(name: string): Promise<void> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({ TableName: SCHEDULE_TABLE, Key: { pk: name }, ReturnValues: 'ALL_OLD' })
    );
    this.armed.get(name)?.abort();
    this.armed.delete(name);
    if (!Attributes) {
      throw Object.assign(new Error(`Schedule ${name} does not exist`), {
        type: 'ResourceNotFoundException',
        status: 404,
      });
    }
  }

  /** Arms every stored schedule (at boot: those of an earlier process fire as planned). */
  async armAll(): Promise<number> {
    const { Items = [] } = await this.db.send(new ScanCommand({ TableName: SCHEDULE_TABLE }));
    for (const item of Items as StoredSchedule[]) this.arm(item);
    return Items.length;
  }

  stop(): void {
    for (const controller of this.armed.values()) controller.abort();
    this.armed.clear();
  }

  private arm(schedule: StoredSchedule): void {
    const controller = new AbortController();
    this.armed.set(schedule.pk, controller);
    this.clock
      .sleepUntil(schedule.at, controller.signal)
      .then(() => this.fire(schedule))
      .catch(() => undefined); // aborted: deleted or shutting down
  }

  private async fire(schedule: StoredSchedule): Promise<void> {
    const target = JSON.parse(schedule.input) as {
      StateMachineArn: string;
      Name: string;
      Input: string;
    };
    try {
      await this.engine.startExecution(target.StateMachineArn, target.Name, target.Input);
    } catch (error) {
      // Started already (a repeat is harmless by design); anything else is reported.
      if ((error as Error).name !== 'ExecutionAlreadyExists')
        console.error(`local scheduler: ${schedule.pk} could not start its run`, error);
    }
    this.armed.delete(schedule.pk);
    await this.db.send(new DeleteCommand({ TableName: SCHEDULE_TABLE, Key: { pk: schedule.pk } }));
  }
}

/** The REST JSON API the SDK client speaks: POST and DELETE /schedules/{Name}. */
export async function startSchedulerEndpoint(
  scheduler: LocalScheduler
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const name = decodeURIComponent(
      new URL(req.url ?? '/', 'http://local').pathname.split('/')[2] ?? ''
    );
    const work =
      req.method === 'POST'
        ? readJson(req).then((body) => scheduler.create(name, body))
        : req.method === 'DELETE'
          ? scheduler.delete(name)
          : Promise.reject(
              Object.assign(new Error('Not emulated'), { type: 'ValidationException', status: 400 })
            );
    work
      .then(() =>
        send(res, 200, {
          ScheduleArn: `arn:aws:scheduler:local-1:000000000000:schedule/default/${name}`,
        })
      )
      .catch((error: Error & { type?: string; status?: number }) =>
        send(
          res,
          error.status ?? 500,
          { Message: error.message },
          error.type ?? 'InternalServerException'
        )
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
