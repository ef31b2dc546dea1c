/** The bench's client of the local API: the workflow it runs, creates, and the final check. */
import type { LocalRuntime } from '../local/runtime.js';

const open = {
  enabled: true,
  timeRanges: [{ startHour: 0, startMinute: 0, endHour: 24, endMinute: 0 }],
};
const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const week = Object.fromEntries(days.map((day) => [day, open]));

export function apiOf(runtime: LocalRuntime) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { 'x-api-key': runtime.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as any;
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

export const twoSteps = {
  name: 'Bench: call, then a text a day later',
  timezone: 'America/New_York',
  workflowSchedule: week,
  tcpaSchedule: week,
  definition: {
    steps: [
      { type: 'CALL', order: 1, delayInSecs: 0, agentId: 'call', finishOn: ['CALENDLY'] },
      {
        type: 'TEXT',
        order: 2,
        delayInSecs: 86_400,
        agentId: 'text',
        initialMessage: 'Hi {{firstName}}, sorry we missed you.',
      },
    ],
  },
};

export async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++] as T);
    })
  );
}

/** Every benchmarked run COMPLETED with two step executions; answers the attempts counted. */
export async function checkAllCompleted(
  api: ReturnType<typeof apiOf>,
  workflowId: string,
  executions: number
) {
  let attempts = 0;
  let completed = 0;
  let cursor: string | undefined;
  do {
    const query = `limit=100&enriched=true${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await api('GET', `/api/v1/workflow/${workflowId}/executions?${query}`);
    for (const execution of page.executions) {
      if (execution.customerLeadId.startsWith('lead--')) continue; // calibration runs
      if (execution.status === 'COMPLETED') completed++;
      attempts += execution.stepExecutions.length;
    }
    cursor = page.pagination.nextCursor ?? undefined;
  } while (cursor);
  if (completed !== executions || attempts !== executions * 2) {
    throw new Error(
      `expected ${executions} completed runs with 2 steps: ${completed}, ${attempts}`
    );
  }
  return attempts;
}
