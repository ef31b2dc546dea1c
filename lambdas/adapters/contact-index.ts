import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws-clients.js';
import { readWholePartition, tableName } from './table.js';
import { keys } from './table-keys.js';

/**
 * Pointers from an organization's phone numbers and lead ids to their runs, written before a
 * run is stored, so a cancel by phone or by lead finds, with one strongly consistent Query and
 * no scan, every run whose create was answered before the cancel was sent. (A GSI would be
 * eventually consistent: a run created a moment earlier could be missed.)
 */
export type ContactSelector = { phoneNumber: string } | { customerLeadId: string };

function partitionOf(organizationId: string, selector: ContactSelector): string {
  return 'phoneNumber' in selector
    ? keys.contactIndex(organizationId, 'PHONE', selector.phoneNumber)
    : keys.contactIndex(organizationId, 'LEAD', selector.customerLeadId);
}

export async function indexRunContact(run: {
  organizationId: string;
  workflowId: string;
  id: string;
  primaryPhone: string;
  customerLeadId: string;
}): Promise<void> {
  const selectors: ContactSelector[] = [
    { phoneNumber: run.primaryPhone },
    { customerLeadId: run.customerLeadId },
  ];
  for (const selector of selectors) {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: partitionOf(run.organizationId, selector),
          sk: `EXECUTION#${run.id}`,
          executionId: run.id,
          workflowId: run.workflowId,
        },
      })
    );
  }
}

/** Every run of the organization (optionally of one workflow) for a phone number or lead. */
export async function runsForContact(
  organizationId: string,
  selector: ContactSelector,
  workflowId?: string
): Promise<string[]> {
  const items = await readWholePartition(partitionOf(organizationId, selector));
  return items
    .filter((item) => workflowId === undefined || item.workflowId === workflowId)
    .map((item) => String(item.executionId));
}
