/**
 * `npm run bench:preview`: how long a launch preview of PREVIEW_LEADS (1,000) mixed leads takes
 * through the local API (gateway, authorizer, request limit, workflow read, planning, JSON), the
 * median of PREVIEW_ROUNDS (5) after a warm-up, against the target of one second; then the
 * planning alone per kind of lead (ZIP, state only, no location), in process, to show where the
 * time goes. The workflow is the Feather example with two layers: Monday and Tuesday 09–17 in
 * New York, then the federal TCPA hours in every candidate recipient zone.
 */
import { performance } from 'node:perf_hooks';
import { getWorkflow } from '../lambdas/adapters/workflow-repository.js';
import { parseLead } from '../lambdas/handlers/execution-routes.js';
import { draftExecution } from '../lambdas/use-cases/executions.js';
import { simulateRun } from '../lambdas/use-cases/launch-simulation.js';
import { startLocalRuntime } from '../local/runtime.js';
import { apiOf } from './local-api.js';

const LEADS = Number(process.env.PREVIEW_LEADS ?? 1000);
const ROUNDS = Number(process.env.PREVIEW_ROUNDS ?? 5);
const TARGET_MS = 1000;

const nineToFive = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};
const featherExample = {
  name: 'Bench: preview of the two-step example',
  timezone: 'America/New_York',
  workflowSchedule: { monday: nineToFive, tuesday: nineToFive },
  definition: {
    steps: [
      { type: 'CALL', order: 1, delayInSecs: 0, agentId: 'call', finishOn: ['CALENDLY'] },
      { type: 'TEXT', order: 2, delayInSecs: 86_400, agentId: 'text', initialMessage: 'Hi' },
    ],
  },
};

/** ZIPs across the US zones, a few states, and leads without any location. */
const zips = ['10001', '94107', '60601', '80202', '85001', '79901', '96813', '99501', '33101'];
const states = ['TX', 'FL', 'IN', 'KY', 'OR'];
type Kind = 'zip' | 'state' | 'none';

/** 85 % with a ZIP, 10 % with a state only, 5 % with neither; every tenth starts a day later. */
function leadOf(i: number, now: number) {
  const kind: Kind = i % 20 === 19 ? 'none' : i % 10 === 9 ? 'state' : 'zip';
  return {
    kind,
    lead: {
      customerLeadId: `lead-${i}`,
      primaryPhone: `+1${String(2_125_550_000 + i)}`,
      ...(kind === 'zip' && { zipcode: zips[i % zips.length] }),
      ...(kind === 'state' && { state: states[i % states.length] }),
      ...(i % 10 === 3 && { startAt: new Date(now + 86_400_000).toISOString() }),
    },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

const runtime = await startLocalRuntime({
  port: 0,
  channel: 'simulator',
  environment: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
});
try {
  const api = apiOf(runtime);
  const workflow = await api('POST', '/api/v1/workflow', featherExample);
  const mixed = Array.from({ length: LEADS }, (_, i) => leadOf(i, Date.now()));
  const leads = mixed.map((entry) => entry.lead);
  const path = `/api/v1/workflow/${workflow.id}/execution/preview`;
  console.log(`Preview of ${LEADS} leads (85 % ZIP, 10 % state only, 5 % no location)`);
  await api('POST', path, { leads: leads.slice(0, 25) });

  const rounds: number[] = [];
  let answer: { summary: unknown } | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const started = performance.now();
    answer = await api('POST', path, { leads });
    rounds.push(performance.now() - started);
    console.log(`  round ${round}/${ROUNDS}: ${rounds.at(-1)?.toFixed(0)} ms`);
  }
  const typical = median(rounds);
  console.log(
    `Through the API: median ${typical.toFixed(0)} ms (${(typical / LEADS).toFixed(2)} ms per lead), ` +
      `${typical < TARGET_MS ? 'within' : 'over'} the ${TARGET_MS} ms target`
  );
  console.log(`  answer: ${JSON.stringify(answer?.summary)}`);
  console.log(`  answer size: ${(JSON.stringify(answer).length / 1024).toFixed(0)} KiB`);

  // The planning alone, per kind of lead: the draft and its simulated run, as the use case does.
  const stored = await getWorkflow(runtime.organizationId, workflow.id);
  const now = new Date();
  for (const kind of ['zip', 'state', 'none'] as const) {
    const ofKind = mixed
      .filter((entry) => entry.kind === kind)
      .map((entry) => parseLead(entry.lead));
    const started = performance.now();
    for (const input of ofKind) {
      if ('lead' in input)
        simulateRun(draftExecution(runtime.organizationId, stored, input.lead, now), now);
    }
    const perLead = (performance.now() - started) / ofKind.length;
    console.log(
      `  planning, ${kind.padEnd(5)}: ${perLead.toFixed(2)} ms per lead (${ofKind.length} leads)`
    );
  }
} finally {
  await runtime.stop();
}
