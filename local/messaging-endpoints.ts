import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsApiError } from './aws-api-error.js';
import { readBody } from './aws-endpoint.js';
import { busName, type LocalEventBus } from './event-rules.js';
import type { LocalQueues } from './sqs-queues.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, localQueueArn } from './template.js';

/** Each operation declares the input it reads; the body is the SDK's JSON. */
type Operation = (input: never) => unknown;

/**
 * An AWS JSON-protocol API on loopback: `X-Amz-Target: <prefix>.<Operation>`, errors with
 * their AWS names in `__type`. Only the operations the app sends.
 */
async function startJsonEndpoint(
  targetPrefix: string,
  jsonVersion: '1.0' | '1.1',
  operations: Record<string, Operation>
): Promise<{ url: string; server: Server }> {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': `application/x-amz-json-${jsonVersion}` });
    res.end(JSON.stringify(body));
  };
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const name = String(req.headers['x-amz-target'] ?? '').replace(`${targetPrefix}.`, '');
    const operation = operations[name];
    if (!operation) {
      const message = `${name} is not emulated locally`;
      return send(res, 400, { __type: 'UnknownOperationException', message });
    }
    try {
      const input = JSON.parse((await readBody(req)) || '{}') as never;
      return send(res, 200, await operation(input));
    } catch (error) {
      if (error instanceof AwsApiError)
        return send(res, 400, { __type: error.name, message: error.message });
      return send(res, 500, { __type: 'InternalFailure', message: (error as Error).message });
    }
  };
  const server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface PutEventsEntry {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  Detail: string;
  Time?: number;
}

/**
 * EventBridge PutEvents on loopback (awsJson1_1): each entry becomes the event EventBridge
 * would hand a rule's target and goes through the rules of its bus.
 */
export function startEventBridgeEndpoint(bus: LocalEventBus) {
  return startJsonEndpoint('AWSEvents', '1.1', {
    PutEvents({ Entries }: { Entries: PutEventsEntry[] }) {
      const results = Entries.map((entry) => {
        const name = busName(entry.EventBusName ?? 'default');
        if (!bus.buses.has(name))
          return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `No bus ${name}` };
        const id = randomUUID();
        const time = entry.Time ? new Date(entry.Time * 1000) : new Date();
        bus.publish(
          {
            version: '0',
            id,
            'detail-type': entry.DetailType,
            source: entry.Source,
            account: LOCAL_ACCOUNT,
            time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            region: LOCAL_REGION,
            resources: [],
            detail: JSON.parse(entry.Detail),
          },
          name
        );
        return { EventId: id };
      });
      const failed = results.filter((result) => 'ErrorCode' in result).length;
      return { FailedEntryCount: failed, Entries: results };
    },
  });
}

/** A queue URL (locally the Ref of a queue: its logical id, or any URL ending with it). */
function queueArnOf(queues: LocalQueues, queueUrl: string): string {
  const arn = localQueueArn(queueUrl.split('/').at(-1) as string);
  if (!queues.has(arn))
    throw new AwsApiError('QueueDoesNotExist', `The specified queue does not exist: ${queueUrl}`);
  return arn;
}

/** SQS answers each sent body's MD5, and the SDK client checks it against what it sent. */
function sent(body: string) {
  return {
    MessageId: randomUUID(),
    MD5OfMessageBody: createHash('md5').update(body).digest('hex'),
  };
}

/**
 * SQS on loopback (awsJson1_0) over the local queues: sends, the visibility change a retry
 * schedule uses, and StartMessageMoveTask, which moves a dead-letter queue's messages back.
 */
export function startSqsEndpoint(queues: LocalQueues) {
  return startJsonEndpoint('AmazonSQS', '1.0', {
    SendMessage({ QueueUrl, MessageBody }: { QueueUrl: string; MessageBody: string }) {
      queues.send(queueArnOf(queues, QueueUrl), MessageBody);
      return sent(MessageBody);
    },
    SendMessageBatch(p: { QueueUrl: string; Entries: Array<{ Id: string; MessageBody: string }> }) {
      const queueArn = queueArnOf(queues, p.QueueUrl);
      for (const entry of p.Entries) queues.send(queueArn, entry.MessageBody);
      return {
        Successful: p.Entries.map((entry) => ({ Id: entry.Id, ...sent(entry.MessageBody) })),
        Failed: [],
      };
    },
    ChangeMessageVisibility(p: { ReceiptHandle: string; VisibilityTimeout: number }) {
      if (!queues.changeVisibility(p.ReceiptHandle, p.VisibilityTimeout))
        throw new AwsApiError('ReceiptHandleIsInvalid', 'The receipt handle is not current');
      return {};
    },
    StartMessageMoveTask({ SourceArn }: { SourceArn: string }) {
      const moved = queues.redrive(SourceArn);
      return { TaskHandle: `local-move-${moved}-${randomUUID()}` };
    },
  });
}
