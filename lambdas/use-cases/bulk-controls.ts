import { type ContactSelector, runsForContact } from '../adapters/contact-index.js';
import { listExecutionsOfWorkflow } from '../adapters/execution-queries.js';
import { getWorkflow } from '../adapters/workflow-repository.js';
import { isFinished } from '../schemas/execution.js';
import { AppError } from '../shared/errors.js';
import { type CancelledBy, controlExecution } from './controls.js';

/** Cancels one run; true when it was active. Finished (409) or deleted (404) meanwhile: false. */
async function cancelIfActive(
  organizationId: string,
  executionId: string,
  cancel: { cancelledBy: CancelledBy; reason?: string; fromRun?: boolean },
  now: Date
): Promise<boolean> {
  try {
    const result = await controlExecution(organizationId, executionId, 'cancel', now, cancel);
    return result.changed;
  } catch (error) {
    if (error instanceof AppError && (error.status === 404 || error.status === 409)) return false;
    throw error;
  }
}

/**
 * Cancels every active run of the organization (or of one workflow) for a phone number or a
 * lead id; answers how many it cancelled. Finished runs are left as they are. A number put on
 * the suppression list cancels its runs this way too, naming the reason; from inside a run
 * (Dispatch) the other runs are not stopped but end on their next plan, never contacting.
 */
export async function cancelByContact(
  organizationId: string,
  selector: ContactSelector,
  now: Date,
  workflowId?: string,
  suppression?: { reason: string; fromRun: boolean }
): Promise<number> {
  if (workflowId) await getWorkflow(organizationId, workflowId);
  const cancel = suppression
    ? { cancelledBy: 'suppression' as const, ...suppression }
    : { cancelledBy: 'phoneNumber' in selector ? ('phone' as const) : ('lead' as const) };
  let cancelled = 0;
  for (const id of await runsForContact(organizationId, selector, workflowId)) {
    if (await cancelIfActive(organizationId, id, cancel, now)) cancelled++;
  }
  return cancelled;
}

/**
 * Cancels a workflow's active runs (before it is deleted), in one pass over its list (each
 * page's states are read once, whatever their status). The list index is eventually
 * consistent, so a run created a moment before may be missed here: Dispatch also refuses to
 * contact for a workflow that no longer exists, which closes that gap.
 */
export async function cancelWorkflowRuns(
  organizationId: string,
  workflowId: string,
  now: Date
): Promise<number> {
  let cancelled = 0;
  let cursor: string | undefined;
  do {
    const page = await listExecutionsOfWorkflow(workflowId, {}, { limit: 100, cursor });
    for (const run of page.items) {
      if (isFinished(run.status)) continue;
      if (await cancelIfActive(organizationId, run.id, { cancelledBy: 'workflow' }, now))
        cancelled++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return cancelled;
}
