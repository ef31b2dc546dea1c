import { suppressionsAmong } from '../adapters/contact-guards.js';
import { candidateStatesOf } from '../domain/contact-rules.js';
import type { CreateExecution } from '../schemas/execution.js';
import { blockedStatesOf, suppressionReason } from './contact-guard.js';

/**
 * Why each lead would not be contacted if it were created now, beyond the schedules: its number
 * is on the organization's do-not-contact list (creation refuses it), or one of its candidate
 * states is under the organization's emergency stop (its run would wait until the stop is
 * lifted). Two reads whatever the number of leads: the stops, and one BatchGetItem per 100
 * numbers. Undefined for a lead with nothing against it.
 */
export async function complianceScreen(
  organizationId: string,
  leads: CreateExecution[]
): Promise<Array<string | undefined>> {
  const [blocked, suppressed] = await Promise.all([
    blockedStatesOf(organizationId),
    suppressionsAmong(
      organizationId,
      leads.map((lead) => lead.primaryPhone)
    ),
  ]);
  return leads.map((lead) => {
    const suppression = suppressed.get(lead.primaryPhone);
    if (suppression) return suppressionReason(lead.primaryPhone, suppression.reason);
    const stopped = candidateStatesOf(lead).filter((state) => blocked.includes(state));
    if (stopped.length === 0) return undefined;
    return `waits: emergency stop for ${stopped.join(', ')}, until the organization lifts it`;
  });
}
