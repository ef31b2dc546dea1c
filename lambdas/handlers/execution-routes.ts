import { z } from 'zod';
import { createExecutionSchema, listExecutionsQuerySchema } from '../schemas/execution.js';
import type { ExecutionRoute } from '../schemas/routes.js';
import { reportOutcomeSchema } from '../schemas/step-attempt.js';
import { timelineQuerySchema } from '../schemas/timeline.js';
import { createExecutionsInBulk, type LeadInput } from '../use-cases/bulk-create.js';
import {
  createExecution,
  getWorkflowExecution,
  listWorkflowExecutions,
} from '../use-cases/executions.js';
import { queueStatusOf } from '../use-cases/pacing-status.js';
import { reportStepOutcome } from '../use-cases/report-outcome.js';
import { executionTimeline } from '../use-cases/timeline.js';
import { issuesOf, json, parseBody, parseQuery } from './http.js';
import { idempotent } from './idempotent.js';
import { presentExecution, presentExecutionSummary, presentStepExecutions } from './presenters.js';
import { idParameter, type Route } from './route.js';

/** Feather's bulk body: 1 to 25 leads, each validated on its own so one bad lead fails alone. */
const bulkCreateSchema = z.strictObject({ leads: z.array(z.unknown()).min(1).max(25) });

/** One lead of a bulk body (bulk create, launch preview): parsed, or the first wrong field. */
export function parseLead(lead: unknown): LeadInput {
  const parsed = createExecutionSchema.safeParse(lead);
  if (parsed.success) return { lead: parsed.data };
  const first = issuesOf(parsed.error)[0];
  const customerLeadId =
    typeof (lead as { customerLeadId?: unknown })?.customerLeadId === 'string'
      ? (lead as { customerLeadId: string }).customerLeadId
      : null;
  return { customerLeadId, error: `${first?.path || '(lead)'}: ${first?.message ?? 'invalid'}` };
}

/**
 * Executions: create one or up to 25, list, get, a run's timeline, and the outcome report of a
 * step attempt.
 */
export const executionHandlers: Record<ExecutionRoute, Route> = {
  'POST /api/v1/workflow/{id}/execution': idempotent(1, async (event, org, [reservedId]) => {
    const execution = await createExecution(
      org,
      idParameter(event, 'id'),
      parseBody(event, createExecutionSchema),
      new Date(),
      reservedId
    );
    return json(201, presentExecution(execution));
  }),

  'POST /api/v1/workflow/{id}/execution/bulk': idempotent(25, async (event, org, reservedIds) => {
    const { leads } = parseBody(event, bulkCreateSchema);
    const results = await createExecutionsInBulk(
      org,
      idParameter(event, 'id'),
      leads.map(parseLead),
      new Date(),
      reservedIds
    );
    const successful = results.filter((result) => result.success).length;
    return json(successful > 0 ? 201 : 200, {
      total: results.length,
      successful,
      failed: results.length - successful,
      results,
    });
  }),

  'GET /api/v1/workflow/{id}/executions': async (event, org) => {
    const query = parseQuery(event, listExecutionsQuerySchema);
    const { enriched } = query;
    const page = await listWorkflowExecutions(
      org,
      idParameter(event, 'id'),
      { status: query.status, customerLeadId: query.customerLeadId },
      { limit: query.limit, cursor: query.cursor, offset: query.offset, enriched }
    );
    return json(200, {
      executions: page.items.map((execution) => presentExecution(execution)),
      pagination: { limit: query.limit, nextCursor: page.nextCursor },
    });
  },

  'GET /api/v1/workflow/{id}/execution/{executionId}': async (event, org) => {
    const execution = await getWorkflowExecution(
      org,
      idParameter(event, 'id'),
      idParameter(event, 'executionId')
    );
    // Ours: where the current attempt waits for a pacing slot, if it does.
    return json(200, { ...presentExecution(execution), queue: await queueStatusOf(execution) });
  },

  'GET /api/v1/workflow/{id}/execution/{executionId}/events': async (event, org) => {
    const query = parseQuery(event, timelineQuerySchema);
    const page = await executionTimeline(
      org,
      idParameter(event, 'id'),
      idParameter(event, 'executionId'),
      query
    );
    return json(200, {
      events: page.items,
      pagination: { limit: query.limit, nextCursor: page.nextCursor },
    });
  },

  'POST /api/v1/step-executions/{stepExecutionId}/outcome': async (event, org) => {
    const body = parseBody(event, reportOutcomeSchema);
    const result = await reportStepOutcome(
      { ...body, stepExecutionId: idParameter(event, 'stepExecutionId'), organizationId: org },
      new Date()
    );
    const stepExecution = presentStepExecutions(result.execution).find(
      (step) => step.id === result.attempt.id
    );
    return json(200, {
      duplicate: result.duplicate,
      stepExecution,
      execution: presentExecutionSummary(result.execution),
    });
  },
};
