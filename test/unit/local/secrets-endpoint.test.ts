import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LocalSecrets,
  localSecretFile,
  localSecretsDir,
  startSecretsEndpoint,
} from '../../../local/secrets-endpoint.js';
import { TemplateResolver } from '../../../local/template.js';

const resolver = new TemplateResolver([
  { Resources: { SigningSecret: { Type: 'AWS::SecretsManager::Secret', Properties: {} } } },
]);

let dataDir: string;
let servers: Server[];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'outreach-secrets-'));
  servers = [];
});

afterEach(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

/** The unchanged SDK client against a fresh endpoint over `secrets`. */
async function clientFor(secrets: LocalSecrets): Promise<SecretsManagerClient> {
  const endpoint = await startSecretsEndpoint(secrets);
  servers.push(endpoint.server);
  return new SecretsManagerClient({
    endpoint: endpoint.url,
    region: 'local-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function read(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
}

describe('the local Secrets Manager endpoint', () => {
  it('generates each template secret once into the data folder, readable by its owner only', async () => {
    const first = await read(await clientFor(new LocalSecrets(resolver, dataDir)), 'SigningSecret');
    const file = join(localSecretsDir(dataDir), 'SigningSecret');
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A restart keeps the value the agent was given.
    const again = await read(await clientFor(new LocalSecrets(resolver, dataDir)), 'SigningSecret');
    expect(again).toBe(first);
  });

  it('answers the replaced value after the file is rewritten, as put-secret-value would', async () => {
    const client = await clientFor(new LocalSecrets(resolver, dataDir));
    writeFileSync(join(localSecretsDir(dataDir), 'SigningSecret'), 'rotated-value\n');
    expect(await read(client, 'SigningSecret')).toBe('rotated-value');
  });

  it('keeps values in memory without a data folder, and knows no other secret', async () => {
    const client = await clientFor(new LocalSecrets(resolver, undefined));
    expect(await read(client, 'SigningSecret')).toMatch(/^[0-9a-f]{64}$/);
    await expect(read(client, 'Elsewhere')).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('secrets the app creates', () => {
  const name = 'OutreachService/agents/org-1/CALL_AGENT_ID/credentials';

  it('creates, replaces and deletes a named secret in its own file, readable by its owner only', async () => {
    const client = await clientFor(new LocalSecrets(resolver, dataDir));
    await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"apiKey":"one"}' }));
    const file = localSecretFile(dataDir, name);
    expect(file.startsWith(localSecretsDir(dataDir))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await read(client, name)).toBe('{"apiKey":"one"}');

    await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: '{"apiKey":"two"}' })
    );
    // A restart reads the value from the data folder.
    expect(await read(await clientFor(new LocalSecrets(resolver, dataDir)), name)).toBe(
      '{"apiKey":"two"}'
    );

    await client.send(
      new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })
    );
    await expect(read(client, name)).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers with the AWS errors: an existing name to create, a missing one to put or delete', async () => {
    const client = await clientFor(new LocalSecrets(resolver, undefined));
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
    await expect(
      client.send(new CreateSecretCommand({ Name: name, SecretString: 'b' }))
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(
      client.send(new PutSecretValueCommand({ SecretId: 'missing', SecretString: 'b' }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      client.send(new DeleteSecretCommand({ SecretId: 'missing' }))
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(await read(client, name)).toBe('a');
  });

  it('keeps a name made of dots inside the secrets folder', () => {
    expect(localSecretFile(dataDir, '..')).toBe(join(localSecretsDir(dataDir), '%2E%2E'));
  });
});
