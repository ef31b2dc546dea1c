import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config.js';

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
let secretsProvider: SecretsProvider | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(
    new DynamoDBClient(localConfig(config().DYNAMODB_ENDPOINT)),
    { marshallOptions: { removeUndefinedValues: true } }
  );
  return documentClient;
}

export function stepFunctions(): SFNClient {
  sfnClient ??= new SFNClient(localConfig(config().SFN_ENDPOINT));
  return sfnClient;
}

export function scheduler(): SchedulerClient {
  schedulerClient ??= new SchedulerClient(localConfig(config().SCHEDULER_ENDPOINT));
  return schedulerClient;
}

/** Secrets Manager behind Powertools' provider, whose in-memory cache lives as long as it does. */
export function secrets(): SecretsProvider {
  secretsProvider ??= new SecretsProvider({
    awsSdkV3Client: new SecretsManagerClient(localConfig(config().SECRETSMANAGER_ENDPOINT)),
  });
  return secretsProvider;
}

/** Drops cached clients so a new endpoint takes effect (local runtime restarts in one process). */
export function resetClients(): void {
  documentClient = undefined;
  sfnClient = undefined;
  schedulerClient = undefined;
  secretsProvider = undefined;
}
