import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsApiError } from './aws-api-error.js';
import type { StepFunctionsEngine } from './step-functions-engine.js';
import { TokenBucket } from './token-bucket.js';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  res.end(JSON.stringify(body));
}

interface Context {
  engine: StepFunctionsEngine;
  starts: TokenBucket;
}

type Operation = (context: Context, p: any) => Promise<unknown> | unknown;

/** The operations the app calls, in the shapes the SDK expects (dates in epoch seconds). */
const operations: Record<string, Operation> = {
  async StartExecution({ engine, starts }, p) {
    if (!starts.take()) throw new AwsApiError('ThrottlingException', 'Rate exceeded');
    const started = await engine.startExecution(p.stateMachineArn, p.name, p.input ?? '{}');
    return { executionArn: started.executionArn, startDate: started.startDate / 1000 };
  },
  SendTaskSuccess({ engine }, p) {
    engine.sendTaskSuccess(p.taskToken, p.output);
    return {};
  },
  SendTaskFailure({ engine }, p) {
    engine.sendTaskFailure(p.taskToken, p.error, p.cause);
    return {};
  },
  SendTaskHeartbeat: () => ({}),
  async StopExecution({ engine }, p) {
    return { stopDate: (await engine.stopExecution(p.executionArn, p.error, p.cause)) / 1000 };
  },
  async DescribeExecution({ engine }, p) {
    const execution = await engine.describeExecution(p.executionArn);
    return {
      executionArn: execution.pk,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate / 1000,
      ...(execution.stopDate && { stopDate: execution.stopDate / 1000 }),
      input: execution.input,
      ...(execution.output && { output: execution.output }),
      ...(execution.error && { error: execution.error, cause: execution.cause }),
    };
  },
};

async function answer(context: Context, req: IncomingMessage, res: ServerResponse) {
  const name = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
  const operation = operations[name];
  if (!operation) {
    const message = `${name} is not emulated locally`;
    const type = 'UnknownOperationException';
    return send(res, 400, { __type: type, message }, type);
  }
  try {
    const p = JSON.parse((await readBody(req)) || '{}');
    return send(res, 200, await operation(context, p));
  } catch (error) {
    if (error instanceof AwsApiError)
      return send(res, 400, { __type: error.name, message: error.message }, error.name);
    const message = (error as Error).message;
    return send(res, 500, { __type: 'InternalFailure', message }, 'InternalFailure');
  }
}

/**
 * The Step Functions API on loopback (awsJson1_0), for the unchanged SDK client behind
 * SFN_ENDPOINT. Only the operations the app uses; errors carry their AWS names.
 */
export async function startStepFunctionsEndpoint(
  engine: StepFunctionsEngine,
  startQuota: { burst: number; perSecond: number } = { burst: 1300, perSecond: 300 }
): Promise<{ url: string; server: Server }> {
  const context = { engine, starts: new TokenBucket(startQuota.burst, startQuota.perSecond) };
  const server = createServer((req, res) => void answer(context, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
