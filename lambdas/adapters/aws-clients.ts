import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config.js';
import { SERVICE_NAME } from '../shared/metric-names.js';

/**
 * X-Ray subsegments for every AWS call (and, in Lambda, outgoing fetch calls such as the
 * webhook's). Powertools switches tracing off outside Lambda, so the local runtime and the tests
 * run the same code with no daemon: captureAWSv3Client then hands the client back untouched.
 */
const tracer = new Tracer({ serviceName: SERVICE_NAME });

/**
 * AWS SDK clients, made once per container. The only switch between AWS and the local runtime
 * is an endpoint variable: handlers never know where they run.
 */
function localConfig(endpoint: string | undefined) {
  return endpoint
    ? {
        endpoint,
        region: config().AWS_REGION ?? 'local-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }
    : {};
}

let documentClient: DynamoDBDocumentClient | undefined;
let sfnClient: SFNClient | undefined;
let schedulerClient: SchedulerClient | undefined;
let secretsManagerClient: SecretsManagerClient | undefined;
let secretsProvider: SecretsProvider | undefined;
let eventBridgeClient: EventBridgeClient | undefined;
let sqsClient: SQSClient | undefined;
let smsVoiceClient: PinpointSMSVoiceV2Client | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(
    tracer.captureAWSv3Client(new DynamoDBClient(localConfig(config().DYNAMODB_ENDPOINT))),
    { marshallOptions: { removeUndefinedValues: true } }
  );
  return documentClient;
}

export function stepFunctions(): SFNClient {
  sfnClient ??= tracer.captureAWSv3Client(new SFNClient(localConfig(config().SFN_ENDPOINT)));
  return sfnClient;
}

export function scheduler(): SchedulerClient {
  schedulerClient ??= tracer.captureAWSv3Client(
    new SchedulerClient(localConfig(config().SCHEDULER_ENDPOINT))
  );
  return schedulerClient;
}

/** Secrets Manager itself: for the secrets the app writes (agent credentials, webhook secrets). */
export function secretsManager(): SecretsManagerClient {
  secretsManagerClient ??= tracer.captureAWSv3Client(
    new SecretsManagerClient(localConfig(config().SECRETSMANAGER_ENDPOINT))
  );
  return secretsManagerClient;
}

/** Secrets Manager behind Powertools' provider, whose in-memory cache lives as long as it does. */
export function secrets(): SecretsProvider {
  secretsProvider ??= new SecretsProvider({ awsSdkV3Client: secretsManager() });
  return secretsProvider;
}

/** The deployment's event bus, where lifecycle events are put. */
export function eventBridge(): EventBridgeClient {
  eventBridgeClient ??= tracer.captureAWSv3Client(
    new EventBridgeClient(localConfig(config().EVENTBRIDGE_ENDPOINT))
  );
  return eventBridgeClient;
}

/** The webhook delivery queues (sends, retry delays, dead-letter redrive). */
export function sqs(): SQSClient {
  sqsClient ??= tracer.captureAWSv3Client(new SQSClient(localConfig(config().SQS_ENDPOINT)));
  return sqsClient;
}

/** AWS End User Messaging SMS, which AWS SMS agents send their texts through. */
export function smsVoice(): PinpointSMSVoiceV2Client {
  smsVoiceClient ??= tracer.captureAWSv3Client(
    // One try per call: the channel's own retry policy decides what an error means.
    new PinpointSMSVoiceV2Client({ ...localConfig(config().AWS_SMS_ENDPOINT), maxAttempts: 1 })
  );
  return smsVoiceClient;
}

/** Drops cached clients so a new endpoint takes effect (local runtime restarts in one process). */
export function resetClients(): void {
  documentClient = undefined;
  sfnClient = undefined;
  schedulerClient = undefined;
  secretsManagerClient = undefined;
  secretsProvider = undefined;
  eventBridgeClient = undefined;
  sqsClient = undefined;
  smsVoiceClient = undefined;
}
