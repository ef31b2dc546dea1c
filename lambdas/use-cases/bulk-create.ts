import type { PendingStart } from '../adapters/pending-starts.js';
import { getWorkflow } from '../adapters/workflow-repository.js';
import type { CreateExecution } from '../schemas/execution.js';
import { AppError } from '../shared/errors.js';
import { startStoredRun, storeExecution } from './executions.js';

/** A lead of a bulk request: valid and parsed, or refused with the field that is wrong. */
export type LeadInput =
  | { lead: CreateExecution }
  | { customerLeadId: string | null; error: string };

export interface BulkResult {
  success: boolean;
  executionId: string | null;
  customerLeadId: string | null;
  error: string | null;
}

function failed(customerLeadId: string | null, error: string): BulkResult {
  return { success: false, executionId: null, customerLeadId, error };
}

/** Why a lead was refused, in one line: the first wrong field and what is wrong with it. */
export function refusalOf(error: AppError): string {
  const detail = error.details?.[0];
  return detail ? `${detail.path}: ${detail.message}` : error.message;
}

/** How many state machine starts a bulk request makes at once. */
const START_CONCURRENCY = 5;

/**
 * Up to 25 runs of one workflow. One bad lead (invalid, or refused by the schedules) never
 * fails the others; each result says what happened to its lead, in request order. Every run is
 * stored first, then the runs are started a few at a time: a start throttled by Step Functions
 * is left to the sweep instead of holding the request past its timeout.
 */
export async function createExecutionsInBulk(
  organizationId: string,
  workflowId: string,
  leads: LeadInput[],
  now: Date,
  reservedIds: string[] = []
): Promise<BulkResult[]> {
  const workflow = await getWorkflow(organizationId, workflowId);
  const results: BulkResult[] = [];
  const pending: PendingStart[] = [];
  for (const [index, input] of leads.entries()) {
    if ('error' in input) {
      results.push(failed(input.customerLeadId, input.error));
      continue;
    }
    try {
      const stored = await storeExecution(
        organizationId,
        workflow,
        input.lead,
        now,
        reservedIds[index]
      );
      if (stored.pending) pending.push(stored.pending);
      const { id, customerLeadId } = stored.execution;
      results.push({ success: true, executionId: id, customerLeadId, error: null });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      results.push(failed(input.lead.customerLeadId, refusalOf(error)));
    }
  }
  for (let i = 0; i < pending.length; i += START_CONCURRENCY) {
    await Promise.all(pending.slice(i, i + START_CONCURRENCY).map(startStoredRun));
  }
  return results;
}
