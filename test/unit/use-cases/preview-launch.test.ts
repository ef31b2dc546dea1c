import { randomUUID } from 'node:crypto';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putWorkflow } from '../../../lambdas/adapters/workflow-repository.js';
import { parseLead } from '../../../lambdas/handlers/execution-routes.js';
import { toErrorResponse } from '../../../lambdas/handlers/http.js';
import { MAX_PREVIEW_LEADS, previewHandlers } from '../../../lambdas/handlers/preview-routes.js';
import { type Disposition, dispositions, weekdays } from '../../../lambdas/schemas/common.js';
import { federalTcpaSchedule, type WeekSchedule } from '../../../lambdas/schemas/schedule.js';
import type { Plan, TaskOutput } from '../../../lambdas/schemas/state-machine.js';
import { attemptKey } from '../../../lambdas/schemas/step-attempt.js';
import { noContactDispositions, type Workflow } from '../../../lambdas/schemas/workflow.js';
import { WorkflowNotFoundError } from '../../../lambdas/shared/errors.js';
import { dispatchStep } from '../../../lambdas/use-cases/dispatch-step.js';
import { blockState } from '../../../lambdas/use-cases/emergency-stops.js';
import { storeExecution } from '../../../lambdas/use-cases/executions.js';
import { previewLaunch } from '../../../lambdas/use-cases/preview-launch.js';
import { reportStepOutcome } from '../../../lambdas/use-cases/report-outcome.js';
import { suppressNumber } from '../../../lambdas/use-cases/suppressions.js';
import {
  type InMemoryTable,
  mustRead,
  recordCommands,
  startTable,
} from '../../helpers/in-memory-table.js';

const sfn = mockClient(SFNClient);
let table: InMemoryTable;
const organizationId = randomUUID();

/** Friday 2026-11-27 15:30 in New York, 12:30 in San Francisco. */
const now = new Date('2026-11-27T20:30:00.000Z');
const DAY_MS = 86_400_000;

const nineToFive = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};
/** Weekdays 09:00–17:00 in the workflow's zone (New York). */
const officeHours = Object.fromEntries(
  weekdays.map((day) => [
    day,
    day === 'saturday' || day === 'sunday' ? { enabled: false, timeRanges: [] } : nineToFive,
  ])
) as WeekSchedule;

/** A call, then a text three hours later: some texts fall due inside the window, some after. */
function aWorkflow(overrides: Partial<Workflow> = {}): Workflow {
  return {
    id: randomUUID(),
    organizationId,
    name: 'Preview',
    description: '',
    active: true,
    timezone: 'America/New_York',
    workflowSchedule: officeHours,
    tcpaSchedule: federalTcpaSchedule,
    definition: {
      steps: [
        {
          id: 'call',
          type: 'CALL',
          order: 1,
          delayInSecs: 0,
          agentId: 'A',
          leaveVoicemail: false,
          needsTCPACompliance: true,
          count: 1,
          finishOn: ['CALENDLY', 'DNC'],
        },
        {
          id: 'text',
          type: 'TEXT',
          order: 2,
          delayInSecs: 3 * 3600,
          agentId: 'T',
          leaveVoicemail: false,
          needsTCPACompliance: true,
          count: 1,
          finishOn: [],
          initialMessage: 'Hi',
        },
      ],
    },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...overrides,
  };
}

async function stored(overrides: Partial<Workflow> = {}): Promise<Workflow> {
  const workflow = aWorkflow(overrides);
  await putWorkflow(workflow);
  return workflow;
}

/** A number in area code `npa` (415: San Francisco; 833: toll-free, no place). */
const phone = (n: number, npa = '415') => `+1${npa}555${String(n).padStart(4, '0')}`;

/** ZIPs in four zones, a state with two, startAt on a Saturday and ten days ahead, step 2 only. */
const mixedLeads = [
  { customerLeadId: 'ny', primaryPhone: phone(1, '212'), zipcode: '10001' },
  { customerLeadId: 'sf', primaryPhone: phone(2), zipcode: '94107' },
  { customerLeadId: 'tx', primaryPhone: phone(3, '512'), state: 'TX' },
  { customerLeadId: 'honolulu', primaryPhone: phone(4), zipcode: '96813' },
  {
    customerLeadId: 'saturday',
    primaryPhone: phone(5),
    zipcode: '60601',
    startAt: '2026-11-28T15:00:00.000Z',
  },
  {
    customerLeadId: 'far',
    primaryPhone: phone(6),
    zipcode: '80202',
    startAt: new Date(now.getTime() + 10 * DAY_MS).toISOString(),
  },
  { customerLeadId: 'text-only', primaryPhone: phone(7), zipcode: '10001', attempt: 1 },
];

beforeAll(async () => {
  table = await startTable();
  // Exact comparisons: with a spread, a run's place in it hashes its id, which a preview lacks.
  Object.assign(process.env, { OUTREACH_CHANNEL: 'manual', DISPATCH_SPREAD_SECONDS: '0' });
});

afterAll(async () => {
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

function lastOutput(token: string): TaskOutput {
  const call = sfn
    .commandCalls(SendTaskSuccessCommand)
    .filter((c) => c.args[0].input.taskToken === token)
    .at(-1);
  if (!call) throw new Error(`token ${token} was never completed`);
  return JSON.parse(call.args[0].input.output ?? 'null') as TaskOutput;
}

interface Planned {
  nextRunAt: string | null;
  dueAt?: string;
  deferredBy?: string[];
}

/**
 * What the engine does with a created run, driven at the instants its own plans name: Dispatch
 * when each Wait ends (a "not now" plans again), and each step's outcome (`outcomes`, ENDED
 * unless given) reported at the instant of the contact. Answers each step's schedule as stored
 * when its first attempt was dispatched (after any "not now"; a repeated attempt is not listed).
 */
async function runEngine(
  executionId: string,
  first: Plan,
  outcomes: Disposition[] = []
): Promise<Planned[]> {
  const planned: Planned[] = [];
  let plannedStep = -1;
  let plan = first;
  while (plan.action === 'STEP') {
    const at = new Date(plan.waitUntil);
    const taskToken = randomUUID();
    const before = await mustRead(executionId);
    const key = attemptKey(plan.stepIndex, before.attemptNo);
    await dispatchStep({ executionId, stepIndex: plan.stepIndex, taskToken }, at);
    const attempt = (await mustRead(executionId)).attempts[key];
    if (!attempt) {
      plan = lastOutput(taskToken); // not now: the run waits again
      continue;
    }
    if (before.stepIndex !== plannedStep) {
      plannedStep = before.stepIndex;
      const { nextRunAt, schedule } = before;
      planned.push({ nextRunAt, dueAt: schedule?.dueAt, deferredBy: schedule?.deferredBy });
    }
    const disposition = outcomes[plan.stepIndex] ?? 'ENDED';
    await reportStepOutcome({ stepExecutionId: attempt.id, disposition }, at);
    plan = lastOutput(taskToken);
  }
  return planned;
}

/** Numbers no earlier case used: attempt caps count every run of the organization per number. */
let freshExchange = 600;
function withFreshPhones(leads: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const exchange = freshExchange++;
  return leads.map((lead) => ({
    ...lead,
    primaryPhone: String(lead.primaryPhone).replace(/^\+1(\d{3})555/, `+1$1${exchange}`),
  }));
}

/** Previews the leads, then creates and runs each: both answer the same steps. */
async function expectEngineToFollow(workflow: Workflow, given: Array<Record<string, unknown>>) {
  const leads = withFreshPhones(given);
  const preview = await previewLaunch(organizationId, workflow.id, leads.map(parseLead), now);
  for (const [index, raw] of leads.entries()) {
    const lead = parseLead(raw);
    if (!('lead' in lead)) throw new Error('the leads are valid');
    const steps = preview.leads[index]?.steps ?? [];
    const outcomes: Disposition[] = [];
    for (const step of steps)
      if (step.assumedOutcome) outcomes[step.stepIndex] = step.assumedOutcome;
    const { execution, pending } = await storeExecution(organizationId, workflow, lead.lead, now);
    const engine = await runEngine(execution.id, pending?.input.plan as Plan, outcomes);
    const previewed = steps.map(({ firstContactAt, dueAt, deferredBy }) => ({
      nextRunAt: firstContactAt,
      dueAt,
      deferredBy,
    }));
    expect({ lead: raw.customerLeadId, steps: previewed }).toEqual({
      lead: raw.customerLeadId,
      steps: engine,
    });
  }
  return preview;
}

describe('previewLaunch', () => {
  it('answers, step for step, the instants and reasons the engine then stores', async () => {
    const preview = await expectEngineToFollow(await stored(), mixedLeads);
    expect(preview.summary).toMatchObject({ total: 7, contactable: 7, blocked: 0 });
  });

  it('assumes an outcome that goes on, and follows the repeated attempts it brings', async () => {
    const workflow = aWorkflow();
    const [call, text] = workflow.definition.steps;
    if (!call || !text) throw new Error('two steps');
    // Every outcome that reaches the contact ends the run: only reaching nobody goes on.
    const reached = dispositions.filter(
      (d) => !(noContactDispositions as readonly string[]).includes(d)
    );
    Object.assign(call, { finishOn: reached, count: 3, delayInSecs: 3600 }); // each retry an hour later
    Object.assign(text, { delayInSecs: 600 });
    await putWorkflow(workflow);
    const preview = await expectEngineToFollow(workflow, mixedLeads.slice(0, 5));
    expect(preview.leads[0]?.steps.map((step) => step.assumedOutcome)).toEqual([
      'COULD_NOT_CONNECT',
      null,
    ]);
  });

  it('shows the steps after one that ends the run on every outcome as not reached', async () => {
    const workflow = aWorkflow();
    Object.assign(workflow.definition.steps[0] ?? {}, { finishOn: [...dispositions] });
    await putWorkflow(workflow);
    const { leads } = await previewLaunch(
      organizationId,
      workflow.id,
      mixedLeads.slice(0, 1).map(parseLead),
      now
    );
    expect(leads[0]?.steps[0]).toMatchObject({
      firstContactAt: now.toISOString(),
      assumedOutcome: null,
    });
    expect(leads[0]?.steps[1]).toMatchObject({
      firstContactAt: null,
      deferredBy: ['not reached: every outcome of step 0 finishes the run'],
    });
  });

  it('shows candidate zones and states, the assumed outcome, and why a step waits', async () => {
    const workflow = await stored();
    const { leads } = await previewLaunch(
      organizationId,
      workflow.id,
      mixedLeads.map(parseLead),
      now
    );
    const [ny, sf, tx] = leads;
    expect(ny?.candidates).toEqual({
      zones: ['America/New_York'],
      states: ['NY'],
      source: 'zipcode',
    });
    expect(tx?.candidates).toEqual({
      zones: ['America/Chicago', 'America/Denver'],
      states: ['TX'],
      source: 'state',
    });
    // Open at once in New York; the text falls due at 18:30 Friday and waits for Monday 09:00.
    expect(ny?.steps[0]).toMatchObject({
      firstContactAt: now.toISOString(),
      deferredBy: [],
      assumedOutcome: 'ENDED',
    });
    expect(ny?.steps[1]).toMatchObject({
      type: 'TEXT',
      dueAt: '2026-11-27T23:30:00.000Z',
      firstContactAt: '2026-11-30T14:00:00.000Z',
      deferredBy: ['workflowSchedule, Monday before 09:00 in America/New_York'],
      assumedOutcome: null,
    });
    // Monday 09:00 in New York is 06:00 in San Francisco: the TCPA window opens at 08:00 there.
    expect(sf?.steps[1]?.firstContactAt).toBe('2026-11-30T16:00:00.000Z');
  });

  it('blocks a lead with no allowed instant within the horizon and an invalid one, alone', async () => {
    const workflow = await stored();
    const leads = [
      { customerLeadId: 'anywhere', primaryPhone: phone(8, '833') }, // every US zone: no common hour
      { customerLeadId: 'bad-phone', primaryPhone: '555' },
      { customerLeadId: 'past-last-step', primaryPhone: phone(9), attempt: 2 },
      // A San Francisco number at a New York address: contacted inside both zones' windows.
      { customerLeadId: 'ok', primaryPhone: phone(10), zipcode: '10001' },
    ];
    const preview = await previewLaunch(organizationId, workflow.id, leads.map(parseLead), now);
    const [anywhere, badPhone, pastLast, ok] = preview.leads;
    expect(anywhere?.blocked?.reason).toMatch(/^No allowed contact window within 14 days of /);
    expect(anywhere?.blocked?.stepIndex).toBe(0);
    expect(anywhere?.steps.map((step) => step.firstContactAt)).toEqual([null, null]);
    expect(badPhone).toMatchObject({
      index: 1,
      customerLeadId: 'bad-phone',
      phone: null,
      candidates: null,
      steps: [],
    });
    expect(badPhone?.blocked?.reason).toMatch(/^primaryPhone: /);
    expect(pastLast?.blocked?.reason).toBe('attempt: must be less than the number of steps (2)');
    expect(ok?.blocked).toBeUndefined();
    expect(preview.summary).toMatchObject({
      total: 4,
      contactable: 1,
      blocked: 3,
      incomplete: 0,
      earliestFirstContactAt: now.toISOString(),
      latestContactAt: '2026-11-30T16:00:00.000Z',
    });
  });

  it('blocks, with the screen’s reason, a lead the screen refuses', async () => {
    const workflow = await stored();
    const screen = async (_org: string, leads: Array<{ primaryPhone: string }>) =>
      leads.map((lead) =>
        lead.primaryPhone === phone(2) ? 'on the do-not-contact list' : undefined
      );
    const preview = await previewLaunch(
      organizationId,
      workflow.id,
      mixedLeads.slice(0, 3).map(parseLead),
      now,
      screen
    );
    expect(preview.leads.map((lead) => lead.blocked?.reason)).toEqual([
      undefined,
      'on the do-not-contact list',
      undefined,
    ]);
    expect(preview.leads[1]?.candidates?.zones).toEqual(['America/Los_Angeles']);
  });

  it('reads the workflow and writes nothing', async () => {
    const workflow = await stored();
    const recorder = recordCommands();
    await previewLaunch(organizationId, workflow.id, mixedLeads.map(parseLead), now);
    recorder.stop();
    // The workflow, the organization's emergency stops and its do-not-contact list: reads only.
    expect(recorder.commands.map((command) => command.name).sort()).toEqual([
      'BatchGetItemCommand',
      'GetItemCommand',
      'QueryCommand',
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('blocks a number on the do-not-contact list and holds a state under an emergency stop', async () => {
    const org = randomUUID();
    const workflow = await stored({ organizationId: org });
    const [listed, free, stopped] = mixedLeads; // New York, San Francisco, Texas
    await suppressNumber(org, String(listed?.primaryPhone), 'asked not to be called', now);
    await blockState(org, 'TX', now);
    const preview = await previewLaunch(
      org,
      workflow.id,
      [listed, stopped, free].map(parseLead),
      now
    );
    const [a, b, c] = preview.leads;
    expect(a?.blocked?.reason).toMatch(/is on the organization's do-not-contact list \(asked not/);
    expect(b?.blocked?.reason).toBe(
      'waits: emergency stop for TX, until the organization lifts it'
    );
    expect(c?.blocked).toBeUndefined();
  });

  it('answers the same preview twice, dispatch spread included', async () => {
    const workflow = await stored();
    process.env.DISPATCH_SPREAD_SECONDS = '60';
    try {
      const leads = mixedLeads.map(parseLead);
      const first = await previewLaunch(organizationId, workflow.id, leads, now);
      expect(await previewLaunch(organizationId, workflow.id, leads, now)).toEqual(first);
    } finally {
      process.env.DISPATCH_SPREAD_SECONDS = '0';
    }
  });

  it('previews an inactive workflow as if activated, and says so', async () => {
    const workflow = await stored({ active: false });
    const preview = await previewLaunch(
      organizationId,
      workflow.id,
      mixedLeads.slice(0, 1).map(parseLead),
      now
    );
    expect(preview.workflowActive).toBe(false);
    expect(preview.leads[0]?.steps[0]?.firstContactAt).toBe(now.toISOString());
  });

  it('does not find another organization’s workflow', async () => {
    const workflow = await stored({ organizationId: randomUUID() });
    await expect(previewLaunch(organizationId, workflow.id, [], now)).rejects.toBeInstanceOf(
      WorkflowNotFoundError
    );
  });
});

describe('POST /api/v1/workflow/{id}/execution/preview', () => {
  const route = previewHandlers['POST /api/v1/workflow/{id}/execution/preview'];
  const call = async (workflowId: string, body: unknown) => {
    const event = {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      pathParameters: { id: workflowId },
    } as unknown as APIGatewayProxyEvent;
    const answer = await route(event, organizationId).catch(toErrorResponse);
    return { status: answer.statusCode, body: JSON.parse(answer.body) };
  };

  it(`takes up to ${MAX_PREVIEW_LEADS} leads, each judged alone`, async () => {
    const workflow = await stored();
    const leads = Array.from({ length: MAX_PREVIEW_LEADS }, (_, i) => ({
      customerLeadId: `l${i}`,
    }));
    const answer = await call(workflow.id, { leads });
    expect(answer.status).toBe(200);
    expect(answer.body.summary).toMatchObject({
      total: MAX_PREVIEW_LEADS,
      blocked: MAX_PREVIEW_LEADS,
    });
    expect(answer.body.leads[999].blocked.reason).toMatch(/^primaryPhone: /);
  });

  it(`refuses ${MAX_PREVIEW_LEADS + 1} leads, or none, with the field's path`, async () => {
    const workflow = await stored();
    const lead = mixedLeads[0];
    for (const leads of [Array(MAX_PREVIEW_LEADS + 1).fill(lead), []]) {
      const answer = await call(workflow.id, { leads });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 'BAD_REQUEST', success: false });
      expect(answer.body.details[0].path).toBe('leads');
    }
  });
});
