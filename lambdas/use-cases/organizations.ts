import { listEmergencyStops } from '../adapters/emergency-stops.js';
import { findOrganization } from '../adapters/organization-repository.js';
import { OrganizationNotFoundError } from '../shared/errors.js';

/**
 * The API key's organization, as Feather's "Get current organization" shows it, with the
 * states under an emergency stop.
 */
export async function currentOrganization(organizationId: string) {
  const [organization, emergencyStops] = await Promise.all([
    findOrganization(organizationId),
    listEmergencyStops(organizationId),
  ]);
  if (!organization) throw new OrganizationNotFoundError(organizationId);
  return {
    ...organization,
    updatedAt: organization.updatedAt ?? organization.createdAt,
    emergencyStops,
  };
}
