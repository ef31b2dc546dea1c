import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AwsApiError } from './aws-api-error.js';
import { readBody } from './aws-endpoint.js';
import type { TemplateResolver } from './template.js';

/** Where the local runtime keeps each secret's value: one file per secret, named by logical id. */
export function localSecretsDir(dataDir: string): string {
  return join(dataDir, 'secrets');
}

/**
 * The template's Secrets Manager secrets, each generated once (as CloudFormation's
 * GenerateSecretString would) and kept in the data folder, mode 0600, so an agent configured
 * with the value keeps verifying across restarts. Each read goes to the file: replacing its
 * content is the local rotation, as put-secret-value is on AWS. Secrets the app creates at run
 * time (webhook signing secrets) are kept the same way, under `created/`, file named by the
 * URI-encoded secret name. In memory without a data folder.
 */
export class LocalSecrets {
  /** Each secret's value as generated at boot; the data folder's file wins when there is one. */
  private readonly generated = new Map<string, string>();
  /** Created through the API, without a data folder. */
  private readonly created = new Map<string, string>();

  constructor(
    resolver: TemplateResolver,
    private readonly dataDir: string | undefined
  ) {
    if (dataDir) mkdirSync(localSecretsDir(dataDir), { recursive: true, mode: 0o700 });
    for (const [logicalId] of resolver.resourcesOfType('AWS::SecretsManager::Secret')) {
      this.generated.set(logicalId, randomBytes(32).toString('hex'));
      if (dataDir) this.persistOnce(logicalId);
    }
  }

  /** The value of a template secret (named by its logical id) or of a created one. */
  value(secretId: string): string | undefined {
    const generated = this.generated.get(secretId);
    if (generated === undefined) return this.createdValue(secretId);
    if (!this.dataDir) return generated;
    return readFileSync(join(localSecretsDir(this.dataDir), secretId), 'utf8').trim();
  }

  /** CreateSecret: refused when the name is taken, as on AWS. */
  create(name: string, value: string): void {
    if (this.value(name) !== undefined)
      throw new AwsApiError('ResourceExistsException', `The secret ${name} already exists`);
    if (!this.dataDir) {
      this.created.set(name, value);
      return;
    }
    mkdirSync(this.createdDir(), { recursive: true, mode: 0o700 });
    writeFileSync(this.createdFile(name), value, { mode: 0o600, flag: 'wx' });
  }

  /** DeleteSecret (at once, as ForceDeleteWithoutRecovery). */
  delete(name: string): void {
    if (this.createdValue(name) === undefined)
      throw new AwsApiError('ResourceNotFoundException', `No secret ${name}`);
    this.created.delete(name);
    if (this.dataDir) rmSync(this.createdFile(name), { force: true });
  }

  private createdValue(name: string): string | undefined {
    if (!this.dataDir) return this.created.get(name);
    try {
      return readFileSync(this.createdFile(name), 'utf8');
    } catch {
      return undefined;
    }
  }

  private createdDir(): string {
    return join(localSecretsDir(this.dataDir as string), 'created');
  }

  private createdFile(name: string): string {
    return join(this.createdDir(), encodeURIComponent(name));
  }

  private persistOnce(logicalId: string): void {
    const file = join(localSecretsDir(this.dataDir as string), logicalId);
    try {
      writeFileSync(file, `${this.generated.get(logicalId)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  res.end(JSON.stringify(body));
}

type Operation = (secrets: LocalSecrets, input: Record<string, unknown>) => unknown;

const operations: Record<string, Operation> = {
  GetSecretValue(secrets, input) {
    const secretId = String(input.SecretId ?? '');
    const value = secrets.value(secretId);
    if (value === undefined) {
      const message = `Secrets Manager can't find the specified secret ${secretId}`;
      throw new AwsApiError('ResourceNotFoundException', message);
    }
    return { Name: secretId, SecretString: value, VersionStages: ['AWSCURRENT'] };
  },
  CreateSecret(secrets, input) {
    const name = String(input.Name ?? '');
    secrets.create(name, String(input.SecretString ?? ''));
    return { ARN: `arn:aws:secretsmanager:local-1:000000000000:secret:${name}`, Name: name };
  },
  DeleteSecret(secrets, input) {
    const name = String(input.SecretId ?? '');
    secrets.delete(name);
    return { Name: name, DeletionDate: Date.now() / 1000 };
  },
};

/**
 * Secrets Manager on loopback (awsJson1_1), for the unchanged SDK client behind
 * SECRETSMANAGER_ENDPOINT: the operations the app calls (reads; webhook secrets created and
 * deleted with their subscriptions).
 */
export async function startSecretsEndpoint(
  secrets: LocalSecrets
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const name = String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
    readBody(req)
      .then((body) => {
        const operation = operations[name];
        if (!operation)
          throw new AwsApiError('InvalidRequestException', `${name} is not emulated locally`);
        send(res, 200, operation(secrets, JSON.parse(body || '{}')));
      })
      .catch((error: Error) => {
        if (error instanceof AwsApiError)
          return send(res, 400, { __type: error.name, message: error.message }, error.name);
        const type = 'InternalServiceError';
        send(res, 500, { __type: type, message: error.message }, type);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
