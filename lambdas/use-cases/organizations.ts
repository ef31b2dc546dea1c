import { findOrganization } from '../adapters/organization-repository.js';
import { OrganizationNotFoundError } from '../shared/errors.js';

/** The API key's organization, as Feather's "Get current organization" shows it. */
export async function currentOrganization(organizationId: string) {
  const organization = await findOrganization(organizationId);
  if (!organization) throw new OrganizationNotFoundError(organizationId);
  return { ...organization, updatedAt: organization.updatedAt ?? organization.createdAt };
}
