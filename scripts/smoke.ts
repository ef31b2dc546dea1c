/**
 * `npm run smoke -- --url URL --key KEY [--timeout SECONDS]`: the Feather two-step example end
 * to end against a running stack whose channel is `manual` (a deployed one, or `npm start`):
 * creates a workflow and one run, reports each step's outcome through the API as an operator
 * would, checks that the run COMPLETED, then deletes what it created. Prints each step; exits 1
 * with the reason on the first thing that is not as expected. Needs nothing but `fetch`.
 */
import { parseArgs } from 'node:util';

class SmokeFailure extends Error {}

const { values } = parseArgs({
  options: { url: { type: 'string' }, key: { type: 'string' }, timeout: { type: 'string' } },
});
if (!values.url || !values.key) {
  console.error('usage: npm run smoke -- --url <API URL> --key <API key> [--timeout <seconds>]');
  process.exit(2);
}
// The stack's ApiUrl output (…/prod/) and the URL npm start prints (…/api/v1) both work.
const base = values.url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
const key = values.key;
const timeoutMs = Number(values.timeout ?? 120) * 1000;

interface Answer {
  status: number;
  body: unknown;
}

interface StepExecution {
  id: string;
  type: string;
  status: string;
  channel?: string;
}

interface Run {
  id: string;
  status: string;
  disposition: string | null;
  stepExecutions: StepExecution[];
}

async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-api-key': key,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  }).catch((error: Error) => {
    throw new SmokeFailure(`${method} ${path}: ${base} did not answer (${error.message})`);
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: reported as text below.
  }
  return { status: response.status, body: parsed };
}

/** The request, which must answer `expected`; anything else fails the smoke test. */
async function expectStatus<T>(
  expected: number,
  method: string,
  path: string,
  body?: unknown
): Promise<T> {
  const answer = await call(method, path, body);
  if (answer.status !== expected) {
    throw new SmokeFailure(
      `${method} ${path} answered ${answer.status}, expected ${expected}: ${JSON.stringify(answer.body)}`
    );
  }
  return answer.body as T;
}

/** Reads `path` every second until `done` holds; fails after the timeout. */
async function waitUntil(what: string, path: string, done: (run: Run) => boolean): Promise<Run> {
  console.log(`  waiting for ${what}…`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await expectStatus<Run>(200, 'GET', path);
    if (done(body)) return body;
    if (Date.now() > deadline) {
      throw new SmokeFailure(
        `no ${what} within ${timeoutMs / 1000} s; the run is ${body.status}: ${JSON.stringify(body)}`
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const open = {
  enabled: true,
  timeRanges: [{ startHour: 0, startMinute: 0, endHour: 24, endMinute: 0 }],
};
const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const alwaysOpen = Object.fromEntries(days.map((day) => [day, open]));

/** The Feather docs' example; schedules always open and no delay, so it runs in seconds. */
const workflow = {
  name: `Smoke test ${new Date().toISOString()}`,
  description: 'Created and deleted by npm run smoke',
  active: true,
  timezone: 'America/New_York',
  workflowSchedule: alwaysOpen,
  tcpaSchedule: alwaysOpen,
  definition: {
    steps: [
      {
        type: 'CALL',
        order: 1,
        delayInSecs: 0,
        agentId: 'CALL_AGENT_ID',
        leaveVoicemail: true,
        finishOn: ['CALENDLY', 'NOT_INTERESTED', 'DNC'],
      },
      {
        type: 'TEXT',
        order: 2,
        delayInSecs: 0,
        agentId: 'TEXT_AGENT_ID',
        initialMessage: 'Hi {{firstName}}, sorry we missed you.',
        finishOn: [],
      },
    ],
  },
};

/** The steps dispatched so far (the upcoming one is listed as PENDING). */
const placed = (run: Run) => run.stepExecutions.filter((step) => step.status !== 'PENDING');

/** Waits for step `index` to be dispatched to the manual channel, then reports its outcome. */
async function reportStep(runPath: string, index: number, disposition: string) {
  const run = await waitUntil(
    `step ${index + 1} to be dispatched`,
    runPath,
    (r) => placed(r).length > index
  );
  const step = placed(run)[index] as StepExecution;
  if (step.channel !== 'manual') {
    throw new SmokeFailure(
      `step ${index + 1} went to the ${step.channel} channel; the smoke test needs channel=manual`
    );
  }
  await expectStatus<unknown>(200, 'POST', `/api/v1/step-executions/${step.id}/outcome`, {
    disposition,
  });
  console.log(`✔ step ${index + 1} (${step.type}) dispatched; reported ${disposition}`);
}

const created: { workflowId?: string; executionId?: string } = {};

async function smoke(): Promise<void> {
  console.log(`Smoke test against ${base}`);
  await expectStatus<unknown>(200, 'GET', '/api/v1/workflow?limit=1');
  console.log('✔ the API answers and accepts the key');
  created.workflowId = (
    await expectStatus<{ id: string }>(201, 'POST', '/api/v1/workflow', workflow)
  ).id;
  console.log(`✔ created workflow ${created.workflowId}`);
  const run = await expectStatus<Run>(
    201,
    'POST',
    `/api/v1/workflow/${created.workflowId}/execution`,
    await recipientContactableNow(created.workflowId)
  );
  created.executionId = run.id;
  console.log(`✔ created run ${run.id} (${run.status})`);
  const runPath = `/api/v1/workflow/${created.workflowId}/execution/${run.id}`;
  await reportStep(runPath, 0, 'NO_ANSWER');
  await reportStep(runPath, 1, 'TEXT_CONSENT');
  const done = await waitUntil('the run to complete', runPath, (r) => r.status !== 'RUNNING');
  if (done.status !== 'COMPLETED' || done.disposition !== 'TEXT_CONSENT') {
    throw new SmokeFailure(
      `the run ended ${done.status} (${done.disposition}), expected COMPLETED (TEXT_CONSENT)`
    );
  }
  console.log('✔ the run COMPLETED with both steps');
}

/**
 * Fictional recipients across the US zones (555-0100 to 555-0199 are reserved for fiction:
 * nobody can be reached there). The stack enforces calling-hour law by default, so the smoke
 * test asks the launch preview which of them may be called and texted now, and uses that one.
 */
const recipients = [
  { primaryPhone: '+12125550123', zipcode: '10001' },
  { primaryPhone: '+13125550123', zipcode: '60601' },
  { primaryPhone: '+13035550123', zipcode: '80202' },
  { primaryPhone: '+14155550123', zipcode: '94107' },
  { primaryPhone: '+18085550123', zipcode: '96813' },
  { primaryPhone: '+17875550123', zipcode: '00901' },
  { primaryPhone: '+16715550123', zipcode: '96910' },
].map((lead) => ({
  ...lead,
  customerLeadId: `smoke-${Date.now()}`,
  variables: { firstName: 'Smoke' },
}));

interface Preview {
  leads: Array<{ steps: Array<{ firstContactAt: string | null }> }>;
}

async function recipientContactableNow(workflowId: string): Promise<(typeof recipients)[number]> {
  const preview = await expectStatus<Preview>(
    200,
    'POST',
    `/api/v1/workflow/${workflowId}/execution/preview`,
    { leads: recipients }
  );
  const soon = Date.now() + 120_000;
  const index = preview.leads.findIndex((lead) =>
    lead.steps.every((step) => step.firstContactAt && Date.parse(step.firstContactAt) <= soon)
  );
  const recipient = recipients[index];
  if (!recipient) {
    throw new SmokeFailure(
      'no US recipient zone may be called and texted now (calling-hour law leaves about an hour a day, near 11:00 UTC, with none); run it again later'
    );
  }
  console.log(`✔ the launch preview allows contact now at ZIP ${recipient.zipcode}`);
  return recipient;
}

/** Deletes what the smoke test created (a live run is cancelled first); never hides a failure. */
async function cleanUp(): Promise<boolean> {
  let clean = true;
  for (const [what, path] of [
    [
      'run',
      created.executionId &&
        `/api/v1/workflow/${created.workflowId}/execution/${created.executionId}`,
    ],
    ['workflow', created.workflowId && `/api/v1/workflow/${created.workflowId}`],
  ] as const) {
    if (!path) continue;
    const answer = await call('DELETE', path).catch((error: Error) => ({
      status: 0,
      body: error.message,
    }));
    if (answer.status === 200) console.log(`✔ deleted the ${what}`);
    else {
      clean = false;
      console.error(
        `✘ could not delete the ${what} (${answer.status}): ${JSON.stringify(answer.body)}`
      );
    }
  }
  return clean;
}

try {
  await smoke();
} catch (error) {
  console.error(`✘ SMOKE TEST FAILED: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  if (!(await cleanUp())) process.exitCode = 1;
}
if (process.exitCode !== 1) console.log('Smoke test passed.');
