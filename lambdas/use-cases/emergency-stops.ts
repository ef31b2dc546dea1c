import {
  deleteEmergencyStop,
  type EmergencyStop,
  listEmergencyStops,
  putEmergencyStop,
} from '../adapters/emergency-stops.js';
import { EmergencyStopNotFoundError } from '../shared/errors.js';

export type { EmergencyStop };

/**
 * Blocks all contact to `state` for the organization (Louisiana, for one, bans all solicitation
 * during a declared emergency). Runs for the state are not cancelled: Dispatch finds the stop
 * and makes them wait, looking again every 15 minutes. Idempotent: answers the stops in force.
 */
export async function blockState(
  organizationId: string,
  state: string,
  now: Date
): Promise<EmergencyStop[]> {
  await putEmergencyStop(organizationId, state, now);
  return listEmergencyStops(organizationId);
}

/** Lifts the stop: waiting runs go on at their next look. 404 when the state was not blocked. */
export async function liftState(organizationId: string, state: string): Promise<EmergencyStop[]> {
  if (!(await deleteEmergencyStop(organizationId, state)))
    throw new EmergencyStopNotFoundError(state);
  return listEmergencyStops(organizationId);
}
