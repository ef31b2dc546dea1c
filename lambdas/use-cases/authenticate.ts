import { findOrganizationIdByApiKey } from '../adapters/organization-repository.js';

/** The organization an API key belongs to, or undefined for an unknown key. */
export function organizationOfApiKey(apiKey: string): Promise<string | undefined> {
  return findOrganizationIdByApiKey(apiKey);
}
