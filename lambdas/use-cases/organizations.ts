import { listEmergencyStops } from '../adapters/emergency-stops.js';
import { findOrganization, type Organization } from '../adapters/organization-repository.js';
import { writeOrganizationSettings } from '../adapters/organization-settings.js';
import {
  defaultOrganizationSettings,
  type OrganizationSettings,
  type OrganizationSettingsPatch,
} from '../schemas/organization.js';
import {
  ConcurrentUpdateError,
  OrganizationNotFoundError,
  ValidationError,
} from '../shared/errors.js';
import { pacingLoad } from './pacing-status.js';

/** Fresh reads a settings update makes before it gives up on a stream of concurrent writes. */
const SETTINGS_WRITE_ATTEMPTS = 5;

async function mustFindOrganization(organizationId: string): Promise<Organization> {
  const organization = await findOrganization(organizationId);
  if (!organization) throw new OrganizationNotFoundError(organizationId);
  return organization;
}

function effectiveSettings(organization: Organization): OrganizationSettings {
  return { ...defaultOrganizationSettings, ...organization.settings };
}

/** The settings dispatch paces by: the stored ones, defaults for the rest. */
export async function organizationSettings(organizationId: string): Promise<OrganizationSettings> {
  const organization = await findOrganization(organizationId);
  return organization ? effectiveSettings(organization) : defaultOrganizationSettings;
}

/**
 * The API key's organization, as Feather's "Get current organization" shows it, with its pacing
 * settings (defaults for those never set), its calls and texts in flight and queued, and the
 * states under an emergency stop.
 */
export async function currentOrganization(organizationId: string, now = new Date()) {
  const [organization, emergencyStops, load] = await Promise.all([
    mustFindOrganization(organizationId),
    listEmergencyStops(organizationId),
    pacingLoad(organizationId, now),
  ]);
  const { settings: _stored, settingsVersion: _version, ...shown } = organization;
  return {
    ...shown,
    ...effectiveSettings(organization),
    updatedAt: organization.updatedAt ?? organization.createdAt,
    ...load,
    emergencyStops,
  };
}

/** The batch size is checked against its ceiling as they will be stored, sent or not. */
function checkMergedBatchSizes(settings: OrganizationSettings): void {
  const { schedulerBatchSize, maxSchedulerBatchSize } = settings;
  if (schedulerBatchSize <= maxSchedulerBatchSize) return;
  const message = `must not be greater than maxSchedulerBatchSize (${maxSchedulerBatchSize})`;
  throw new ValidationError(`Invalid organization settings: schedulerBatchSize ${message}`, [
    { path: 'schedulerBatchSize', message },
  ]);
}

/**
 * Changes only the settings in `patch`. The write is version-checked: two concurrent updates of
 * different settings both land (the later one re-reads and merges), and the batch size can never
 * end up above a ceiling another update lowered meanwhile.
 */
export async function updateOrganizationSettings(
  organizationId: string,
  patch: OrganizationSettingsPatch,
  now: Date
) {
  for (let attempt = 0; attempt < SETTINGS_WRITE_ATTEMPTS; attempt++) {
    const organization = await mustFindOrganization(organizationId);
    const stored = { ...organization.settings, ...patch };
    checkMergedBatchSizes({ ...defaultOrganizationSettings, ...stored });
    const version = organization.settingsVersion ?? 0;
    if (await writeOrganizationSettings(organizationId, stored, version, now)) {
      return currentOrganization(organizationId, now);
    }
  }
  throw new ConcurrentUpdateError('Organization settings update');
}
