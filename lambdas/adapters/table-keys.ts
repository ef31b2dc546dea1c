/**
 * Single-table key layout (also documented on the table construct, in the README and in
 * docs/architecture.md). Repositories build keys only through these helpers.
 *
 * | entity                 | pk                   | sk                                | gsi1pk / gsi1sk                 |
 * |------------------------|----------------------|-----------------------------------|---------------------------------|
 * | organization           | ORG#<orgId>          | ORG                               |                                 |
 * | org name index         | ORGNAME#<name>       | ORGNAME                           |                                 |
 * | API key                | APIKEY#<sha256(key)> | APIKEY                            |                                 |
 * | workflow               | ORG#<orgId>          | WORKFLOW#<workflowId>             |                                 |
 * | definition snapshot    | SNAPSHOT#<sha256>    | SNAPSHOT                          |                                 |
 * | execution (state)      | EXECUTION#<id>       | EXECUTION                         | WORKFLOW#<workflowId> / EXECUTION#<id> |
 * | execution contact      | EXECUTION#<id>       | CONTACT                           |                                 |
 * | step attempt           | EXECUTION#<id>       | ATTEMPT#<step:0000>#<attempt:000> |                                 |
 * | timeline record        | EXECUTION#<id>       | TIMELINE#<at>#DECISION#<step:0000>#<attempt:000> or TIMELINE#<at>#CONTROL#<count> | |
 * | step execution pointer | STEPEXEC#<id>        | STEPEXEC                          |                                 |
 * | pending start          | STARTQ#<shard 0–7>   | <createdAt>#<executionId>         |                                 |
 * | contact index          | CONTACTIDX#<org>#PHONE#<e164> or …#LEAD#<lead> | EXECUTION#<id> |           |
 * | idempotency record     | IDEMPOTENCY#<org>#<sha256(key)> | IDEMPOTENCY               |                                 |
 * | request counter        | RATELIMIT#<org>#<windowStartMs> | RATELIMIT                 |                                 |
 * | contact guard          | GUARD#<org>#<e164>   | GUARD                             | SUPPRESSED#<org> / <e164> while suppressed |
 * | emergency stop         | ORG#<orgId>          | EMERGENCYSTOP#<state>             |                                 |
 * | webhook subscription   | ORG#<orgId>          | WEBHOOK#<subscriptionId>          |                                 |
 * | webhook delivery       | WEBHOOKDLV#<subscriptionId>#<eventId> | WEBHOOKDLV       |                                 |
 * | slots (pacing)         | SLOTS#<org>#<CALL|TEXT> | SLOTS                          | PACING / <org>#<CALL|TEXT>      |
 * | queued attempt         | PACEQ#<org>#<CALL|TEXT> | <bucket:00>#<priorityDate>#<executionId>#<step:0000>#<attempt:000> | |
 * | agent                  | ORG#<orgId>          | AGENT#<agentId>                   |                                 |
 * | provider event seen    | PROVIDEREVENT#<provider>#<providerId> | EVENT#<eventType> |                   |
 *
 * Ids are UUIDv7, so sort keys built from them sort by creation time. One Query on
 * `EXECUTION#<id>` below `TIMELINE#` reads a run whole (state, contact, attempts), strongly
 * consistent; its timeline records sort after the state item and are read only for the timeline.
 */
export const keys = {
  organization: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  organizationName: (name: string) => ({ pk: `ORGNAME#${name}`, sk: 'ORGNAME' }),
  apiKey: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  workflow: (orgId: string, workflowId: string) => ({
    pk: `ORG#${orgId}`,
    sk: `WORKFLOW#${workflowId}`,
  }),
  workflowPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'WORKFLOW#' }),
  snapshot: (snapshotId: string) => ({ pk: `SNAPSHOT#${snapshotId}`, sk: 'SNAPSHOT' }),
  execution: (executionId: string) => ({ pk: `EXECUTION#${executionId}`, sk: 'EXECUTION' }),
  executionPartition: (executionId: string) => `EXECUTION#${executionId}`,
  executionContact: (executionId: string) => ({ pk: `EXECUTION#${executionId}`, sk: 'CONTACT' }),
  executionByWorkflow: (workflowId: string, executionId: string) => ({
    gsi1pk: `WORKFLOW#${workflowId}`,
    gsi1sk: `EXECUTION#${executionId}`,
  }),
  stepAttempt: (executionId: string, stepIndex: number, attemptNo: number) => ({
    pk: `EXECUTION#${executionId}`,
    sk: `ATTEMPT#${String(stepIndex).padStart(4, '0')}#${String(attemptNo).padStart(3, '0')}`,
  }),
  timelineRecord: (executionId: string, at: string, what: string) => ({
    pk: `EXECUTION#${executionId}`,
    sk: `${TIMELINE_PREFIX}${at}#${what}`,
  }),
  stepExecution: (stepExecutionId: string) => ({
    pk: `STEPEXEC#${stepExecutionId}`,
    sk: 'STEPEXEC',
  }),
  contactIndex: (orgId: string, kind: 'PHONE' | 'LEAD', value: string) =>
    `CONTACTIDX#${orgId}#${kind}#${value}`,
  idempotency: (orgId: string, keyHash: string) => ({
    pk: `IDEMPOTENCY#${orgId}#${keyHash}`,
    sk: 'IDEMPOTENCY',
  }),
  requestCounter: (orgId: string, windowStartMs: number) => ({
    pk: `RATELIMIT#${orgId}#${windowStartMs}`,
    sk: 'RATELIMIT',
  }),
  contactGuard: (orgId: string, phone: string) => ({ pk: `GUARD#${orgId}#${phone}`, sk: 'GUARD' }),
  suppressedIndex: (orgId: string, phone: string) => ({
    gsi1pk: `SUPPRESSED#${orgId}`,
    gsi1sk: phone,
  }),
  emergencyStop: (orgId: string, state: string) => ({
    pk: `ORG#${orgId}`,
    sk: `EMERGENCYSTOP#${state}`,
  }),
  emergencyStopPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'EMERGENCYSTOP#' }),
  webhook: (orgId: string, subscriptionId: string) => ({
    pk: `ORG#${orgId}`,
    sk: `WEBHOOK#${subscriptionId}`,
  }),
  webhookPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'WEBHOOK#' }),
  webhookDelivery: (subscriptionId: string, eventId: string) => ({
    pk: `WEBHOOKDLV#${subscriptionId}#${eventId}`,
    sk: 'WEBHOOKDLV',
  }),
  slots: (orgId: string, kind: string) => ({ pk: `SLOTS#${orgId}#${kind}`, sk: 'SLOTS' }),
  /** Every slots item is in this index partition, so the sweep finds them without a scan. */
  slotsIndex: (orgId: string, kind: string) => ({ gsi1pk: 'PACING', gsi1sk: `${orgId}#${kind}` }),
  slotQueuePartition: (orgId: string, kind: string) => `PACEQ#${orgId}#${kind}`,
  slotQueueBucket: (bucket: number) => `${String(bucket).padStart(2, '0')}#`,
  queuedAttempt: (
    orgId: string,
    kind: string,
    entry: {
      bucket: number;
      priorityDate: string;
      executionId: string;
      stepIndex: number;
      attemptNo: number;
    }
  ) => ({
    pk: `PACEQ#${orgId}#${kind}`,
    // priorityDate as toISOString() writes it: an offset or fewer decimals would sort wrongly.
    sk: `${String(entry.bucket).padStart(2, '0')}#${new Date(entry.priorityDate).toISOString()}#${entry.executionId}#${String(entry.stepIndex).padStart(4, '0')}#${String(entry.attemptNo).padStart(3, '0')}`,
  }),
  agent: (orgId: string, agentId: string) => ({ pk: `ORG#${orgId}`, sk: `AGENT#${agentId}` }),
  providerEvent: (provider: string, providerId: string, eventType: string) => ({
    pk: `PROVIDEREVENT#${provider}#${providerId}`,
    sk: `EVENT#${eventType}`,
  }),
  agentPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'AGENT#' }),
  pendingStartPartition: (shard: number) => `STARTQ#${shard}`,
  pendingStart: (shard: number, createdAt: string, executionId: string) => ({
    pk: `STARTQ#${shard}`,
    sk: `${createdAt}#${executionId}`,
  }),
};

/** Every timeline record's sort key starts with it, and it sorts after every other run item. */
export const TIMELINE_PREFIX = 'TIMELINE#';

/** Pending starts are spread over this many partitions, so a bulk create has no hot key. */
export const PENDING_START_SHARDS = 8;

export const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

export function withoutKeys<T extends Record<string, unknown>>(
  item: T
): Omit<T, (typeof keyAttributes)[number]> {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ...rest } = item;
  return rest;
}
