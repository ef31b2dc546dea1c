import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsApiError } from './aws-api-error.js';
import type { StepFunctionsEngine } from './step-functions-engine.js';

async function readBody(req: IncomingMessage): Promise<string> {
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

/**
 * The Step Functions API on loopback (awsJson1_0), for the unchanged SDK client behind
 * SFN_ENDPOINT. Only the operations the app uses; errors carry their AWS names.
 */
export async function startStepFunctionsEndpoint(
  engine: StepFunctionsEngine
): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
    try {
      const p = JSON.parse((await readBody(req)) || '{}');
      switch (operation) {
        case 'StartExecution': {
          const started = await engine.startExecution(p.stateMachineArn, p.name, p.input ?? '{}');
          return send(res, 200, {
            executionArn: started.executionArn,
            startDate: started.startDate / 1000,
          });
        }
        case 'SendTaskSuccess':
          engine.sendTaskSuccess(p.taskToken, p.output);
          return send(res, 200, {});
        case 'SendTaskFailure':
          engine.sendTaskFailure(p.taskToken, p.error, p.cause);
          return send(res, 200, {});
        case 'SendTaskHeartbeat':
          return send(res, 200, {});
        case 'StopExecution':
          return send(res, 200, {
            stopDate: (await engine.stopExecution(p.executionArn, p.error, p.cause)) / 1000,
          });
        case 'DescribeExecution': {
          const execution = await engine.describeExecution(p.executionArn);
          return send(res, 200, {
            executionArn: execution.pk,
            stateMachineArn: execution.stateMachineArn,
            name: execution.name,
            status: execution.status,
            startDate: execution.startDate / 1000,
            ...(execution.stopDate && { stopDate: execution.stopDate / 1000 }),
            input: execution.input,
            ...(execution.output && { output: execution.output }),
            ...(execution.error && { error: execution.error, cause: execution.cause }),
          });
        }
        default:
          return send(
            res,
            400,
            {
              __type: 'UnknownOperationException',
              message: `${operation} is not emulated locally`,
            },
            'UnknownOperationException'
          );
      }
    } catch (error) {
      if (error instanceof AwsApiError)
        return send(res, 400, { __type: error.name, message: error.message }, error.name);
      return send(
        res,
        500,
        { __type: 'InternalFailure', message: (error as Error).message },
        'InternalFailure'
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
