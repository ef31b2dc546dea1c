import {
  ensureOrganization,
  generateApiKey,
  storeApiKey,
} from '../../lambdas/adapters/organization-repository.js';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';

export interface ApiClient {
  runtime: LocalRuntime;
  request(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>
  ): Promise<{ status: number; body: any }>;
  /** A client for a brand-new organization with its own key. */
  otherOrganization(
    name: string
  ): Promise<
    (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>
  >;
}

export async function bootLocalApi(
  options: {
    /** Data folder (secrets as files among others); in memory when absent. */
    dataDir?: string;
    environment?: Record<string, string>;
    timeScale?: number;
    startQuota?: { burst: number; perSecond: number };
    executionTimeoutSeconds?: number;
  } = {}
): Promise<ApiClient> {
  // State law would hold runs to the real clock's legal hours; these suites test the engine
  // against the workflow's own schedules (the law is unit-tested with pinned clocks).
  const runtime = await startLocalRuntime({
    port: 0,
    channel: 'manual',
    ...options,
    environment: { STATE_CALLING_RULES: 'off', ...options.environment },
  });
  const call =
    (apiKey: string | undefined) =>
    async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(`${runtime.url}${path}`, {
        method,
        headers: {
          ...(apiKey && { 'x-api-key': apiKey }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...headers,
        },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
  return {
    runtime,
    request: call(runtime.apiKey),
    async otherOrganization(name) {
      const organizationId = await ensureOrganization(name, new Date());
      const key = generateApiKey();
      await storeApiKey(organizationId, key, new Date());
      return call(key);
    },
  };
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  /** Between probes; a heavy probe (listing hundreds of runs) should not starve the runtime. */
  intervalMs = 100
): Promise<T> {
  // performance.now, not Date.now: under TIME_SCALE, Date runs thousands of times faster.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (performance.now() > deadline)
      throw new Error(`Timed out waiting; last value: ${JSON.stringify(value).slice(0, 2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

const open = {
  enabled: true,
  timeRanges: [{ startHour: 0, startMinute: 0, endHour: 24, endMinute: 0 }],
};
export const alwaysOpen = {
  monday: open,
  tuesday: open,
  wednesday: open,
  thursday: open,
  friday: open,
  saturday: open,
  sunday: open,
};

const nineToFive = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};

/** The Feather docs' create-workflow example: a call, then a text a day later. */
export const featherWorkflow = {
  name: 'Two-step follow-up',
  description: 'One call and one text reminder',
  active: true,
  timezone: 'America/New_York',
  workflowSchedule: { monday: nineToFive, tuesday: nineToFive },
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
        delayInSecs: 86400,
        agentId: 'TEXT_AGENT_ID',
        initialMessage: 'Hi {{firstName}}, sorry we missed you. Reply here to pick a time.',
        finishOn: [],
      },
    ],
  },
};

export const featherExecution = {
  customerLeadId: 'contact-123',
  primaryPhone: '+14155550123',
  zipcode: '94107',
  variables: { firstName: 'Jordan' },
  metadata: { firstName: 'Jordan', lastName: 'Lee' },
};

let phones = 0;

/**
 * A number no other run of this process uses: an organization contacts one number at most 3
 * times in 24 h, so tests that run many contacts give each run its own.
 */
export function distinctPhone(): string {
  phones++;
  return `+1415556${String(phones % 10_000).padStart(4, '0')}`;
}

/** The step executions a run has placed (claimed), without the upcoming PENDING one. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the tests
export function placed(run: { stepExecutions: any[] }): any[] {
  return run.stepExecutions.filter((step) => step.status !== 'PENDING');
}

/** Creates the Feather example workflow with always-open schedules (and `overrides`); its id. */
export async function createOpenWorkflow(
  api: ApiClient,
  overrides: Record<string, unknown> = {}
): Promise<string> {
  const created = await api.request('POST', '/api/v1/workflow', {
    ...featherWorkflow,
    workflowSchedule: alwaysOpen,
    tcpaSchedule: alwaysOpen,
    ...overrides,
  });
  if (created.status !== 201) throw new Error(`workflow not created: ${JSON.stringify(created)}`);
  return created.body.id as string;
}
