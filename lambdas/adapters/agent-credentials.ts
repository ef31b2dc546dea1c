import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { required } from '../shared/config.js';
import { secretsManager } from './aws-clients.js';

/**
 * An agent's provider credentials: one Secrets Manager secret per organization and agent, its
 * value the credentials as JSON. Write-only through the API: the table keeps only which keys are
 * set, and nothing here logs a value. The channel adapters read them with readAgentCredentials.
 */

/**
 * Under the stack's prefix, so grants can name `<prefix>/*`. The fixed last segment keeps a name
 * from ending in "-" and six characters, which Secrets Manager may take for a partial ARN
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/troubleshoot.html).
 */
export function agentSecretName(organizationId: string, agentId: string): string {
  return `${required('AGENT_SECRETS_PREFIX')}/${organizationId}/${agentId}/credentials`;
}

const credentialsSchema = z.record(z.string(), z.string());

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

/**
 * Creates the agent's secret, or gives it a new value when it exists (a rotation, or a secret
 * left by an earlier attempt that failed before its agent was stored).
 */
export async function writeAgentCredentials(
  organizationId: string,
  agentId: string,
  credentials: Record<string, string>
): Promise<void> {
  const name = agentSecretName(organizationId, agentId);
  const value = JSON.stringify(credentials);
  try {
    await secretsManager().send(
      new CreateSecretCommand({
        Name: name,
        SecretString: value,
        Description: `Provider credentials of agent ${agentId} (organization ${organizationId})`,
      })
    );
  } catch (error) {
    if (!isNamed(error, 'ResourceExistsException')) throw error;
    await secretsManager().send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
  }
}

/**
 * Deletes the agent's secret at once: the default recovery window would keep the name taken,
 * and an agent created again with the same id could not store its credentials. No secret is
 * no error.
 */
export async function deleteAgentCredentials(
  organizationId: string,
  agentId: string
): Promise<void> {
  try {
    await secretsManager().send(
      new DeleteSecretCommand({
        SecretId: agentSecretName(organizationId, agentId),
        ForceDeleteWithoutRecovery: true,
      })
    );
  } catch (error) {
    if (!isNamed(error, 'ResourceNotFoundException')) throw error;
  }
}

/** The agent's credentials, or undefined when it has none. For the channel adapters. */
export async function readAgentCredentials(
  organizationId: string,
  agentId: string
): Promise<Record<string, string> | undefined> {
  try {
    const { SecretString } = await secretsManager().send(
      new GetSecretValueCommand({ SecretId: agentSecretName(organizationId, agentId) })
    );
    return parseCredentials(SecretString);
  } catch (error) {
    if (isNamed(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** The secret's value; an error about it never quotes it (JSON.parse's message would). */
function parseCredentials(value: string | undefined): Record<string, string> {
  try {
    return credentialsSchema.parse(JSON.parse(value ?? ''));
  } catch {
    throw new Error('An agent credentials secret does not hold a JSON object of strings');
  }
}
