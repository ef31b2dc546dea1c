import { getExecution } from '../adapters/execution-queries.js';
import { type Page, type PageOptions, pageOfSorted } from '../adapters/pagination.js';
import { readTimelineRecords } from '../adapters/timeline-records.js';
import { getWorkflow } from '../adapters/workflow-repository.js';
import { timelineKey, timelineOf } from '../domain/timeline.js';
import type { TimelineEntry } from '../schemas/timeline.js';
import { queueStatusOf } from './pacing-status.js';

/**
 * A page of a run's timeline (`GET …/execution/{executionId}/events`), oldest first. Another
 * organization's run, or a deleted one, is not found, as for every read of a run.
 * The run is read before its timeline records: a decision replaced in between is then found
 * among the records, never missed (read the other way round, it could be in neither read).
 */
export async function executionTimeline(
  organizationId: string,
  workflowId: string,
  executionId: string,
  page: PageOptions
): Promise<Page<TimelineEntry>> {
  await getWorkflow(organizationId, workflowId);
  const execution = await getExecution(organizationId, executionId, workflowId);
  const records = await readTimelineRecords(executionId);
  const queue = await queueStatusOf(execution);
  return pageOfSorted(timelineOf(execution, records, queue), timelineKey, page);
}
