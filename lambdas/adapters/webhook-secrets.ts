import { CreateSecretCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { secrets, secretsManager } from './aws-clients.js';

/**
 * Each subscription's signing secret, one Secrets Manager secret each, named under the
 * deployment's prefix (the functions' grants cover that prefix only). The value is never
 * logged, never in the table, and answered once, to the subscriber, when it is made.
 */
export async function createSigningSecret(name: string, value: string): Promise<void> {
  await secretsManager().send(
    new CreateSecretCommand({
      Name: name,
      SecretString: value,
      Description: 'Signing secret of an outreach webhook subscription',
    })
  );
}

/** Gone at once: a deleted subscription's secret signs nothing any more. */
export async function deleteSigningSecret(name: string): Promise<void> {
  await secretsManager().send(
    new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })
  );
}

/** Cached per Lambda instance for 5 minutes: one read per subscription, not per delivery. */
export async function signingSecret(name: string): Promise<string> {
  const value = await secrets().get(name, { maxAge: 300 });
  if (typeof value !== 'string') throw new Error(`Secret ${name} holds no string`);
  return value;
}
