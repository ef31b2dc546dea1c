import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AwsApiError } from './aws-api-error.js';
import { readBody } from './aws-endpoint.js';
import { LOCAL_ACCOUNT, LOCAL_REGION, type TemplateResolver } from './template.js';

/** Where the local runtime keeps each secret's value: one file per secret, named by logical id. */
export function localSecretsDir(dataDir: string): string {
  return join(dataDir, 'secrets');
}

/**
 * A secret's file name: its name with every character but letters, digits, "_" and "-"
 * percent-encoded, so `org/agent` names stay one file and no name can leave the folder. A
 * template secret's logical id is its own file name.
 */
export function localSecretFile(dataDir: string, name: string): string {
  return join(localSecretsDir(dataDir), encodeURIComponent(name).replace(/\./g, '%2E'));
}

function notFound(name: string): AwsApiError {
  const message = `Secrets Manager can't find the specified secret ${name}`;
  return new AwsApiError('ResourceNotFoundException', message);
}

/**
 * The template's Secrets Manager secrets, each generated once (as CloudFormation's
 * GenerateSecretString would), and the secrets the app creates (agents' credentials), kept in
 * the data folder, mode 0600, so a value survives restarts. Each read goes to the file:
 * replacing its content is the local rotation, as put-secret-value is on AWS. In memory without
 * a data folder.
 */
export class LocalSecrets {
  private readonly memory = new Map<string, string>();

  constructor(
    resolver: TemplateResolver,
    private readonly dataDir: string | undefined
  ) {
    if (dataDir) mkdirSync(localSecretsDir(dataDir), { recursive: true, mode: 0o700 });
    for (const [logicalId] of resolver.resourcesOfType('AWS::SecretsManager::Secret')) {
      if (!this.exists(logicalId)) this.create(logicalId, randomBytes(32).toString('hex'));
    }
  }

  /** The value of a secret, by name (a template secret's name is its logical id). */
  value(name: string): string | undefined {
    if (!this.dataDir) return this.memory.get(name);
    const file = localSecretFile(this.dataDir, name);
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  }

  exists(name: string): boolean {
    return this.value(name) !== undefined;
  }

  create(name: string, value: string): void {
    if (this.exists(name)) {
      const message = `The operation failed because the secret ${name} already exists.`;
      throw new AwsApiError('ResourceExistsException', message);
    }
    this.write(name, value, 'wx');
  }

  put(name: string, value: string): void {
    if (!this.exists(name)) throw notFound(name);
    this.write(name, value, 'w');
  }

  delete(name: string): void {
    if (!this.exists(name)) throw notFound(name);
    if (this.dataDir) rmSync(localSecretFile(this.dataDir, name));
    else this.memory.delete(name);
  }

  private write(name: string, value: string, flag: 'w' | 'wx'): void {
    if (!this.dataDir) this.memory.set(name, value);
    else writeFileSync(localSecretFile(this.dataDir, name), `${value}\n`, { mode: 0o600, flag });
  }
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  res.end(JSON.stringify(body));
}

const LOCAL_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:`;

type Operation = (secrets: LocalSecrets, p: Record<string, unknown>) => unknown;

/** The operations the app calls, in the shapes the SDK expects. */
const operations: Record<string, Operation> = {
  GetSecretValue(secrets, p) {
    const name = String(p.SecretId ?? '');
    const value = secrets.value(name);
    if (value === undefined) throw notFound(name);
    return { Name: name, SecretString: value, VersionStages: ['AWSCURRENT'] };
  },
  CreateSecret(secrets, p) {
    const name = String(p.Name ?? '');
    secrets.create(name, String(p.SecretString ?? ''));
    return { ARN: `${LOCAL_SECRET_ARN}${name}`, Name: name };
  },
  PutSecretValue(secrets, p) {
    const name = String(p.SecretId ?? '');
    secrets.put(name, String(p.SecretString ?? ''));
    return { ARN: `${LOCAL_SECRET_ARN}${name}`, Name: name, VersionStages: ['AWSCURRENT'] };
  },
  DeleteSecret(secrets, p) {
    const name = String(p.SecretId ?? '');
    secrets.delete(name);
    return { ARN: `${LOCAL_SECRET_ARN}${name}`, Name: name, DeletionDate: Date.now() / 1000 };
  },
};

function answer(secrets: LocalSecrets, operationName: string, body: string, res: ServerResponse) {
  const operation = operations[operationName];
  if (!operation) {
    const type = 'InvalidRequestException';
    return send(
      res,
      400,
      { __type: type, message: `${operationName} is not emulated locally` },
      type
    );
  }
  try {
    send(res, 200, operation(secrets, JSON.parse(body || '{}')));
  } catch (error) {
    if (!(error instanceof AwsApiError)) throw error;
    send(res, 400, { __type: error.name, message: error.message }, error.name);
  }
}

/**
 * Secrets Manager on loopback (awsJson1_1), for the unchanged SDK client behind
 * SECRETSMANAGER_ENDPOINT: the operations the app calls, errors with their AWS names.
 */
export async function startSecretsEndpoint(
  secrets: LocalSecrets
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
    readBody(req)
      .then((body) => answer(secrets, operation, body, res))
      .catch((error: Error) =>
        send(
          res,
          500,
          { __type: 'InternalServiceError', message: error.message },
          'InternalServiceError'
        )
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
