import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedrive } from '../lambdas/adapters/delivery-queue.js';
import { LOCAL_ENDPOINTS_FILE } from '../local/data-dir.js';

/**
 * Moves failed webhook deliveries from the dead-letter queue back to the queues they came from,
 * to be tried again (the endpoint is fixed, say).
 *
 *   npm run webhooks:redrive                      # AWS: the DLQ named in cdk-outputs.json
 *   npm run webhooks:redrive -- --queue-arn ARN   # AWS: that dead-letter queue
 *   npm run webhooks:redrive -- --local [.data]   # the running `npm start` (its data folder)
 *
 * On AWS this is SQS StartMessageMoveTask (AWS credentials for the account, as for deploy);
 * locally the same call goes to the running runtime's SQS endpoint, whose dead letters are in
 * memory (a restart of `npm start` drops them).
 */
function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : (process.argv[index + 1] ?? '');
}

function localTarget(dataDir: string): string {
  const file = join(dataDir, LOCAL_ENDPOINTS_FILE);
  const endpoints = JSON.parse(readFileSync(file, 'utf8')) as {
    sqsEndpoint: string;
    webhookDeadLetterQueueArn: string;
  };
  process.env.SQS_ENDPOINT = endpoints.sqsEndpoint;
  process.env.AWS_REGION ??= 'local-1';
  return endpoints.webhookDeadLetterQueueArn;
}

function deployedTarget(): string {
  const given = option('--queue-arn');
  if (given) return given;
  const outputs = JSON.parse(readFileSync('cdk-outputs.json', 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const arn = Object.values(outputs)
    .map((stack) => stack.WebhookDeadLetterQueueArn)
    .find(Boolean);
  if (!arn) throw new Error('cdk-outputs.json has no WebhookDeadLetterQueueArn; pass --queue-arn');
  return arn;
}

function localDataDir(): string {
  const given = option('--local');
  return given && !given.startsWith('--') ? given : (process.env.DATA_DIR ?? '.data');
}

const queueArn = process.argv.includes('--local') ? localTarget(localDataDir()) : deployedTarget();
const handle = await startRedrive(queueArn);
console.log(`Moving the dead letters of ${queueArn} back to their queues (task ${handle})`);
