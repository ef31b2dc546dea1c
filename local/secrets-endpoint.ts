import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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
 * content is the local rotation, as put-secret-value is on AWS. In memory without a data folder.
 */
export class LocalSecrets {
  /** Each secret's value as generated at boot; the data folder's file wins when there is one. */
  private readonly generated = new Map<string, string>();

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

  /** The value of a secret named as the template's Ref gives it (its logical id). */
  value(secretId: string): string | undefined {
    const generated = this.generated.get(secretId);
    if (generated === undefined || !this.dataDir) return generated;
    return readFileSync(join(localSecretsDir(this.dataDir), secretId), 'utf8').trim();
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

/**
 * Secrets Manager on loopback (awsJson1_1), for the unchanged SDK client behind
 * SECRETSMANAGER_ENDPOINT: GetSecretValue only, the one operation the app calls.
 */
export async function startSecretsEndpoint(
  secrets: LocalSecrets
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const operation = String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
    readBody(req)
      .then((body) => {
        if (operation !== 'GetSecretValue') {
          const message = `${operation} is not emulated locally`;
          return send(
            res,
            400,
            { __type: 'InvalidRequestException', message },
            'InvalidRequestException'
          );
        }
        const secretId = String(JSON.parse(body || '{}').SecretId ?? '');
        const value = secrets.value(secretId);
        if (value === undefined) {
          const message = `Secrets Manager can't find the specified secret ${secretId}`;
          return send(
            res,
            400,
            { __type: 'ResourceNotFoundException', message },
            'ResourceNotFoundException'
          );
        }
        send(res, 200, { Name: secretId, SecretString: value, VersionStages: ['AWSCURRENT'] });
      })
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
