import {
  listSuppressions,
  readContactGuard,
  type Suppression,
  suppress,
  unsuppress,
} from '../adapters/contact-guards.js';
import type { Page, PageOptions } from '../adapters/pagination.js';
import type { Execution } from '../schemas/execution.js';
import type { StepAttempt } from '../schemas/step-attempt.js';
import { SuppressionNotFoundError, ValidationError } from '../shared/errors.js';
import { cancelByContact } from './bulk-controls.js';
import { suppressionReason } from './contact-guard.js';

export type { Suppression };

/** How many numbers one bulk add writes at once. */
const WRITE_CONCURRENCY = 25;

export interface SuppressionResult {
  phoneNumber: string;
  /** False when the number was on the list already. */
  added: boolean;
  cancelledCount: number;
}

/**
 * Puts one number on the organization's do-not-contact list and cancels its active runs in
 * every workflow, naming the reason. Idempotent: a number listed already keeps its first
 * reason, and its runs are cancelled again (a retry after a crash finishes the job).
 */
export async function suppressNumber(
  organizationId: string,
  phoneNumber: string,
  reason: string,
  now: Date,
  options: { fromRun: boolean } = { fromRun: false }
): Promise<SuppressionResult> {
  const added = await suppress(organizationId, phoneNumber, reason, now);
  const cancelledCount = await cancelByContact(organizationId, { phoneNumber }, now, undefined, {
    reason: suppressionReason(phoneNumber, reason),
    fromRun: options.fromRun,
  });
  return { phoneNumber, added, cancelledCount };
}

/** `POST /suppressions`: up to 1,000 numbers, a few at a time, answered in request order. */
export async function suppressNumbers(
  organizationId: string,
  phoneNumbers: string[],
  reason: string,
  now: Date
): Promise<SuppressionResult[]> {
  const distinct = [...new Set(phoneNumbers)];
  const results: SuppressionResult[] = [];
  for (let i = 0; i < distinct.length; i += WRITE_CONCURRENCY) {
    const chunk = distinct.slice(i, i + WRITE_CONCURRENCY);
    results.push(
      ...(await Promise.all(
        chunk.map((phone) => suppressNumber(organizationId, phone, reason, now))
      ))
    );
  }
  return results;
}

/**
 * A `DNC` outcome: the number goes on the list, and every other active run for it in the
 * organization is cancelled at once.
 */
export async function suppressAfterDnc(
  execution: Pick<Execution, 'id' | 'organizationId' | 'primaryPhone'>,
  attempt: Pick<StepAttempt, 'id' | 'disposition'>,
  now: Date,
  options: { fromRun: boolean }
): Promise<void> {
  if (attempt.disposition !== 'DNC') return;
  const reason = `DNC outcome of step execution ${attempt.id}`;
  await suppressNumber(execution.organizationId, execution.primaryPhone, reason, now, options);
}

export function listOrganizationSuppressions(
  organizationId: string,
  options: PageOptions
): Promise<Page<Suppression>> {
  return listSuppressions(organizationId, options);
}

/** `DELETE /suppressions/{phoneNumber}`: the number may be contacted again (caps still apply). */
export async function removeSuppression(
  organizationId: string,
  phoneNumber: string
): Promise<void> {
  if (!(await unsuppress(organizationId, phoneNumber)))
    throw new SuppressionNotFoundError(phoneNumber);
}

/** A new run for a suppressed number is refused (400 on primaryPhone), nothing stored. */
export async function assertNotSuppressed(
  organizationId: string,
  phoneNumber: string
): Promise<void> {
  const guard = await readContactGuard(organizationId, phoneNumber);
  if (!guard.suppression) return;
  throw new ValidationError('Invalid execution', [
    { path: 'primaryPhone', message: "is on the organization's do-not-contact list" },
  ]);
}
