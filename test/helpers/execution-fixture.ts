import type { Execution } from '../../lambdas/schemas/execution.js';
import { alwaysOpenSchedule } from '../../lambdas/schemas/schedule.js';
import type { StepAttempt } from '../../lambdas/schemas/step-attempt.js';

/** Monday 2026-11-23 10:00 in New York, 07:00 in San Francisco. */
export const FIXTURE_CREATED_AT = '2026-11-23T15:00:00.000Z';

export const FIXTURE_IDS = {
  execution: '019ab1f0-0000-7000-8000-000000000001',
  organization: '019ab1f0-0000-7000-8000-000000000002',
  workflow: '019ab1f0-0000-7000-8000-000000000003',
  callStep: '019ab1f0-0000-7000-8000-000000000004',
  textStep: '019ab1f0-0000-7000-8000-000000000005',
  attempt: '019ab1f0-0000-7000-8000-000000000006',
} as const;

/** Stands in for the content address of the definition snapshot; nothing here reads it. */
export const FIXTURE_SNAPSHOT_ID = 'snapshot-two-step-follow-up';

/**
 * A valid `Execution` (it parses with `executionSchema`): the Feather two-step example (a CALL
 * that finishes on CALENDLY, NOT_INTERESTED or DNC, then a TEXT one day later), always-open
 * workflow and TCPA schedules, ZIP 94107 (America/Los_Angeles), fixed ids and timestamps, just
 * created (status CREATED, version 1, no attempts). `overrides` replace top-level fields as given.
 */
export function anExecution(overrides: Partial<Execution> = {}): Execution {
  return {
    id: FIXTURE_IDS.execution,
    organizationId: FIXTURE_IDS.organization,
    workflowId: FIXTURE_IDS.workflow,
    snapshotId: FIXTURE_SNAPSHOT_ID,
    status: 'CREATED',
    customerLeadId: 'contact-123',
    primaryPhone: '+14155550123',
    zipcode: '94107',
    variables: { firstName: 'Jordan' },
    metadata: {},
    priorityDate: FIXTURE_CREATED_AT,
    stepIndex: 0,
    attemptNo: 1,
    nextRunAt: FIXTURE_CREATED_AT,
    disposition: null,
    definition: {
      steps: [
        {
          id: FIXTURE_IDS.callStep,
          type: 'CALL',
          order: 1,
          delayInSecs: 0,
          agentId: 'CALL_AGENT_ID',
          leaveVoicemail: true,
          needsTCPACompliance: true,
          count: 1,
          finishOn: ['CALENDLY', 'NOT_INTERESTED', 'DNC'],
        },
        {
          id: FIXTURE_IDS.textStep,
          type: 'TEXT',
          order: 2,
          delayInSecs: 86_400,
          agentId: 'TEXT_AGENT_ID',
          leaveVoicemail: false,
          needsTCPACompliance: true,
          count: 1,
          finishOn: [],
          initialMessage: 'Hi {{firstName}}, sorry we missed you.',
        },
      ],
    },
    timezone: 'America/New_York',
    workflowSchedule: structuredClone(alwaysOpenSchedule),
    tcpaSchedule: structuredClone(alwaysOpenSchedule),
    attempts: {},
    version: 1,
    createdAt: FIXTURE_CREATED_AT,
    updatedAt: FIXTURE_CREATED_AT,
    ...overrides,
  };
}

/** A claimed attempt of step 0 (attempt 1), handed over to the simulator a second later. */
export function anAttempt(overrides: Partial<StepAttempt> = {}): StepAttempt {
  return {
    id: FIXTURE_IDS.attempt,
    stepIndex: 0,
    attemptNo: 1,
    status: 'IN_PROGRESS',
    channel: 'simulator',
    taskToken: 'task-token-0-1',
    startedAt: '2026-11-23T15:00:01.000Z',
    handedOverAt: '2026-11-23T15:00:02.000Z',
    ...overrides,
  };
}
