/**
 * Hostile-input fuzzing of the whole API over HTTP (issue: "5,000 fuzzed requests: 0 × 5xx,
 * 100 % in the envelope"). Every route of `apiRoutes`, unknown routes and methods, with mutated
 * valid bodies, random valid bodies (zones, schedules, ZIPs, start times), random and broken
 * JSON, wrong content types, random query strings and edited cursors, non-UUID and badly
 * percent-encoded path parameters, and missing or foreign keys. Every answer must be below 500
 * and, for errors, exactly the envelope `{status, code, message, success: false[, details]}`
 * with `status` equal to the HTTP status. Afterwards the server must still serve normal
 * requests, and every execution listed for the fuzzed workflows must read back (no half-written
 * run).
 *
 * Deterministic inputs: a fixed seed per property. Ids that exist only at run time (seeded
 * workflows, executions, step executions, cursors) appear in requests as `{{placeholders}}`,
 * resolved when the request is sent, so a counterexample reads as the request that was sent.
 * Each outcome report gets a step execution nobody reported yet (the pool is refilled as
 * reports consume them): only a first report writes, so only a fresh step tests the write.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureOrganization,
  generateApiKey,
  storeApiKey,
} from '../../lambdas/adapters/organization-repository.js';
import { dispositions, usStateCodes, weekdays } from '../../lambdas/schemas/common.js';
import { type ApiRoute, apiRoutes } from '../../lambdas/schemas/routes.js';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  distinctPhone,
  featherExecution,
  featherWorkflow,
} from '../helpers/local-api.js';

/** Fixed; FUZZ_SEED=<n> explores other inputs (a failure prints the seed and path to replay). */
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_126);
/** Requests in flight at once: one fast-check run is one batch of this many. */
const BATCH = 8;
/** Step executions waiting for their first outcome report. */
const STEP_POOL = 12;

// ---------------------------------------------------------------------------------------------
// JSON text with what JSON.stringify cannot write: 1e999, -0, own `__proto__` keys, depth

/** JSON text inserted verbatim. */
class Raw {
  constructor(readonly text: string) {}
}
type Json = null | boolean | number | string | Raw | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function defineKey(object: object, key: string | number, value: Json): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** An object whose keys are all own data properties, `__proto__` included. */
function objectOf(entries: [string, Json][]): JsonObject {
  const object: JsonObject = {};
  for (const [key, value] of entries) defineKey(object, key, value);
  return object;
}

function toJsonText(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value).map(
      (key) => `${JSON.stringify(key)}:${toJsonText(value[key] as Json)}`
    );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function clone(value: Json): Json {
  if (value instanceof Raw || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  return objectOf(Object.keys(value).map((key) => [key, clone(value[key] as Json)]));
}

function nested(depth: number, kind: 'array' | 'object'): Raw {
  return kind === 'array'
    ? new Raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
    : new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** UTF-8 percent-encoding of all but unreserved characters (a lone surrogate → U+FFFD). */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    if (/^[A-Za-z0-9\-._~]$/.test(char)) out += char;
    else
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** As typed: only what node:http refuses to send (controls, spaces, non-ASCII) is encoded. */
function roughlyEncode(text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (char) => percentEncode(char));
}

const cursorOf = (value: Json) =>
  Buffer.from(typeof value === 'string' ? value : toJsonText(value)).toString('base64url');

// ---------------------------------------------------------------------------------------------
// Hostile values: the issue's explicit list, and generators around it

const explicitNumbers = [
  '12345678901234567',
  '1e16',
  '1e999',
  '-1e999',
  '1e-131',
  '-1e-131',
  '5e-324',
  '-1',
  '-0',
  '0.5',
  '9007199254740993',
  '123456789012345678901234567890123456789012',
].map((text) => new Raw(text));

const explicitStrings = [
  '',
  ' ',
  '\u0000',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '\udbff\udfff',
  '\ufeff',
  '\u202e',
  '💥',
  'null',
  '__proto__',
  'x'.repeat(300),
  'y'.repeat(3000),
  '%zz',
  '{{firstName}}',
  '2025-13-45T25:61:61Z',
  '2025-01-15T15:30:00+23:59',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+1',
  '+999999999999999',
  '+1415-555-0123',
  '00000',
  '99999-9999',
  'Mars/Phobos',
  'Etc/GMT+14',
  'Pacific/Kiritimati',
  'Australia/Lord_Howe',
  'Antarctica/Troll',
  'EST5EDT',
  'UTC',
  'CALENDLY',
  'http://[::1',
];

const forbiddenKeys = ['__proto__', 'constructor', 'prototype'];
const hostileKeys = [...forbiddenKeys, '', 'k'.repeat(300), '\ud800', 'toString', 'valueOf'];

/** The issue's list: every field of every body is tried with each of these. */
const explicitValues: Json[] = [
  ...explicitNumbers.slice(0, 7),
  nested(41, 'array'),
  nested(20_000, 'object'),
  objectOf([['__proto__', objectOf([['polluted', true]])]]),
  objectOf([['constructor', objectOf([['prototype', objectOf([['polluted', true]])]])]]),
  '\ud800',
  '',
  null,
  [objectOf([['a', 1]])],
];

const depthArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 15, max: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom(2_000, 20_000, 100_000) }
);
const deepValue = fc
  .tuple(depthArb, fc.constantFrom<'array' | 'object'>('array', 'object'))
  .map(([depth, kind]) => nested(depth, kind));

const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...explicitNumbers),
  fc.integer({ min: -100, max: 200_000 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(...explicitStrings),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(...dispositions, 'CALL', 'TEXT', 'monday', 'true', '1'),
  deepValue
);

const { value: hostileValue } = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...hostileKeys), fc.string({ maxLength: 8 })),
          tie('value')
        ),
        { maxLength: 3 }
      )
      .map(objectOf)
  ),
}));

// ---------------------------------------------------------------------------------------------
// Valid bodies: fixed ones, and random ones over the domain (zones, schedules, ZIPs, times)

const nineToFive = { enabled: true, timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17 }] };

const workflowBase = {
  ...featherWorkflow,
  workflowSchedule: { monday: nineToFive, friday: { enabled: false } },
  tcpaSchedule: { tuesday: nineToFive },
  startHour: 9,
  endHour: 17,
  definition: {
    steps: [
      { ...featherWorkflow.definition.steps[0], id: '0190b3a2-7d1e-7c2a-9a55-3b1f0f6f0c11' },
      featherWorkflow.definition.steps[1],
    ],
  },
} as unknown as Json;

const patchBase = {
  name: 'Renamed by the fuzzer',
  description: 'patched',
  active: true,
  timezone: 'America/Chicago',
  tcpaSchedule: { thursday: nineToFive },
  definition: {
    steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'A', finishOn: ['DNC'] }],
  },
} as unknown as Json;

const executionBase = {
  ...featherExecution,
  customerLeadId: 'fuzz-lead',
  state: 'CA',
  forwardingPhoneNumber: '+1415-555-0199',
  variables: { firstName: 'Jordan', nested: { list: [1, 'two', { three: 3 }] } },
  priorityDate: '2025-01-15T15:30:00Z',
  startAt: '2025-01-15T15:30:00-05:00',
  attempt: 0,
} as unknown as Json;

const outcomeBase: Json = {
  disposition: 'NO_ANSWER',
  agentCall: {
    id: 'call-1',
    status: 'ended',
    callStartedAt: '2025-01-15T15:30:00Z',
    callEndedAt: '2025-01-15T15:31:00+00:00',
    callDuration: 60,
    callEndedReason: 'NO_ANSWER',
    recordingUrl: 'https://example.com/recording.mp3',
    summary: 'no answer',
  },
};

const zones = Intl.supportedValuesOf('timeZone');
const DAY_MS = 86_400_000;
/** Start times are drawn around today, so that "within 180 days" means something. */
const anchor = Math.floor(Date.now() / DAY_MS) * DAY_MS;

/** An ISO-8601 date-time with a random offset (…+05:45, Z) and sometimes milliseconds. */
const isoDateTime = fc
  .tuple(
    fc.integer({ min: -400 * 24 * 60, max: 200 * 24 * 60 }),
    fc.constantFrom(0, 0, -300, -240, 60, 330, 345, 765, 840, -720, -570),
    fc.boolean()
  )
  .map(([minutes, offset, millis]) => {
    const local = new Date(anchor + minutes * 60_000 + offset * 60_000 + (millis ? 123 : 0));
    const text = local.toISOString().slice(0, millis ? 23 : 19);
    if (offset === 0) return `${text}Z`;
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const hh = String(Math.floor(abs / 60)).padStart(2, '0');
    return `${text}${sign}${hh}:${String(abs % 60).padStart(2, '0')}`;
  });

const timeRange = fc
  .integer({ min: 0, max: 1439 })
  .chain((start) => fc.integer({ min: start + 1, max: 1440 }).map((end) => [start, end]))
  .map(([start = 0, end = 1440]) => ({
    startHour: Math.floor(start / 60),
    startMinute: start % 60,
    endHour: Math.floor(end / 60),
    endMinute: end % 60,
  }));

const weekSchedule = fc
  .tuple(
    ...weekdays.map(() =>
      fc.option(
        fc.record({
          enabled: fc.boolean(),
          timeRanges: fc.array(timeRange, { minLength: 1, maxLength: 3 }),
        }),
        { nil: undefined }
      )
    )
  )
  .map((days) => {
    const week: Record<string, unknown> = {};
    days.forEach((day, i) => {
      if (day) week[weekdays[i] as string] = day;
    });
    if (!days.some((day) => day?.enabled))
      week.wednesday = { enabled: true, timeRanges: [{ startHour: 10, endHour: 11 }] };
    return week;
  });

const randomStep = fc.record({
  type: fc.constantFrom('CALL', 'TEXT'),
  delayInSecs: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 3 * 86_400 }),
    fc.integer({ min: 0, max: 60 * 86_400 })
  ),
  agentId: fc.constantFrom('A', 'agent-1'),
  leaveVoicemail: fc.boolean(),
  finishOn: fc.subarray([...dispositions], { maxLength: 4 }),
  initialMessage: fc.constantFrom('Hi {{firstName}}', '{{ missing }} {{', 'x'),
});

const randomDefinition = fc
  .array(randomStep, { minLength: 1, maxLength: 4 })
  .chain((steps) => {
    const ordered = steps.map((step, i) => ({ ...step, order: i + 1 }));
    return fc.shuffledSubarray(ordered, { minLength: ordered.length, maxLength: ordered.length });
  })
  .map((steps) => ({ steps }));

const randomWorkflowFields = {
  name: fc.string({ minLength: 1, maxLength: 30 }).filter((name) => name.trim() !== ''),
  description: fc.string({ maxLength: 30 }),
  active: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, fc.constant(false)),
  timezone: fc.constantFrom(...zones),
  workflowSchedule: weekSchedule,
  tcpaSchedule: weekSchedule,
  definition: randomDefinition,
  startHour: fc.integer({ min: 0, max: 23 }),
  endHour: fc.integer({ min: 0, max: 23 }),
};
const randomWorkflow = fc.record(randomWorkflowFields, {
  requiredKeys: ['name', 'timezone', 'definition'],
});
const randomPatch = fc.record(randomWorkflowFields, { requiredKeys: [] });

const phones = [
  '+14155550123',
  '+1212-555-0199',
  '+442071838750',
  '+61291234567',
  '+18085550123',
  '+19075550123',
  '+17875550123',
];
const randomExecution = fc.record(
  {
    customerLeadId: fc.string({ minLength: 1, maxLength: 20 }).filter((id) => id.trim() !== ''),
    primaryPhone: fc.constantFrom(...phones),
    zipcode: fc.oneof(
      fc.constantFrom('94107', '99501', '96701', '00601', '96910', '10001', '85001', '59001'),
      fc.stringMatching(/^\d{5}(-?\d{4})?$/)
    ),
    state: fc.constantFrom(...usStateCodes, 'ca', 'Tx'),
    forwardingPhoneNumber: fc.constantFrom(...phones),
    variables: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 4 }
    ),
    metadata: fc.dictionary(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 4 }
    ),
    priorityDate: isoDateTime,
    startAt: isoDateTime,
    attempt: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: ['customerLeadId', 'primaryPhone'] }
);

const randomOutcome = fc.record(
  {
    disposition: fc.constantFrom(...dispositions),
    agentCall: fc.record(
      {
        id: fc.string({ maxLength: 20 }),
        status: fc.string({ maxLength: 10 }),
        callStartedAt: isoDateTime,
        callEndedAt: isoDateTime,
        callDuration: fc.oneof(
          fc.integer({ min: 0, max: 10_000 }),
          fc.double({ min: 0, max: 10_000_000, noNaN: true })
        ),
        callEndedReason: fc.constantFrom(...dispositions),
        recordingUrl: fc.webUrl(),
        summary: fc.string({ maxLength: 50 }),
      },
      { requiredKeys: [] }
    ),
  },
  { requiredKeys: ['disposition'] }
);

// ---------------------------------------------------------------------------------------------
// Mutations of valid bodies

type Path = (string | number)[];

/** Every node of a value, the root included. */
function pathsOf(value: Json, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (value instanceof Raw || value === null || typeof value !== 'object') return paths;
  const children: [string | number, Json][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : Object.keys(value).map((key) => [key, value[key] as Json]);
  for (const [step, child] of children) paths.push(...pathsOf(child, [...prefix, step]));
  return paths;
}

type Operation = 'set' | 'delete' | 'addKey' | 'wrap' | 'stringify';
interface Mutation {
  at: number;
  op: Operation;
  key: string;
  value: Json;
}

/** Applies mutations to a copy (generated values are copied in too: fast-check reuses them). */
function mutate(base: Json, mutations: Mutation[]): Json {
  let root = clone(base);
  for (const { at, op, key, value } of mutations) {
    const paths = pathsOf(root);
    const path = paths[at % paths.length] as Path;
    const last = path.at(-1);
    type Node = Record<string | number, Json>;
    const parent = path.slice(0, -1).reduce((node, step) => node[step] as Node, root as Node);
    const current: Json = last === undefined ? root : (parent[last] as Json);
    if (op === 'addKey') {
      const isObject = current !== null && typeof current === 'object' && !(current instanceof Raw);
      if (isObject && !Array.isArray(current)) defineKey(current, key, clone(value));
      continue;
    }
    const next =
      op === 'set'
        ? clone(value)
        : op === 'wrap'
          ? [current]
          : op === 'stringify'
            ? toJsonText(current)
            : undefined;
    if (last === undefined) root = next ?? null;
    else if (next !== undefined) defineKey(parent, last, next);
    else if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  }
  return root;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Operation>('set', 'set', 'set', 'delete', 'addKey', 'wrap', 'stringify'),
  key: fc.oneof(fc.constantFrom(...hostileKeys, 'extra'), fc.string({ maxLength: 6 })),
  value: hostileValue,
});

const mutated = (base: Json) =>
  fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => mutate(base, mutations));

const brokenJson = fc.oneof(
  fc.constantFrom(
    '{',
    '{"name":}',
    '{"a":1,}',
    "{'a':1}",
    '[1,2',
    'nul',
    'NaN',
    'Infinity',
    '{"a":1e999999999999}',
    '\ufeff{"name":"bom"}',
    '{"a":"\\u12"}',
    '"\\',
    '{"a":1}{"b":2}',
    '   ',
    '\u0000',
    `${'['.repeat(100_000)}${']'.repeat(99_999)}`
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.tuple(mutated(workflowBase), fc.nat()).map(([value, cut]) => {
    const text = toJsonText(value);
    return text.slice(0, cut % Math.max(1, text.length));
  })
);

/** Every pacing setting, with buckets that touch, overlap or leave the end open. */
const organizationPatchBase = {
  maxConcurrentCalls: 20,
  maxConcurrentTexts: 100,
  schedulerBatchSize: 25,
  maxSchedulerBatchSize: 100,
  priorityDateBucketConfig: {
    enabled: true,
    buckets: [
      { minDays: 0, maxDays: 7, percentage: 60 },
      { minDays: 8, maxDays: 30, percentage: 30 },
      { minDays: 31, maxDays: null, percentage: 10 },
    ],
  },
} as Json;
const randomBucket = fc.record({
  minDays: fc.integer({ min: -1, max: 40 }),
  maxDays: fc.option(fc.integer({ min: -1, max: 40 })),
  percentage: fc.integer({ min: -10, max: 110 }),
});
const randomOrganizationPatch = fc.record(
  {
    maxConcurrentCalls: fc.integer({ min: -1, max: 20_000 }),
    maxConcurrentTexts: fc.integer({ min: -1, max: 20_000 }),
    schedulerBatchSize: fc.integer({ min: 0, max: 200 }),
    maxSchedulerBatchSize: fc.integer({ min: 0, max: 200 }),
    priorityDateBucketConfig: fc.record({
      enabled: fc.boolean(),
      buckets: fc.array(randomBucket, { maxLength: 4 }),
    }),
  },
  { requiredKeys: [] }
);

/** A valid agent of each shape the schemas branch on, and random mixes of their fields. */
const agentBase = {
  id: 'fuzz-agent',
  name: 'Fuzz caller',
  type: 'CALL',
  provider: 'twilio',
  settings: {
    fromNumber: '+14155550100',
    voiceUrl: 'https://voice.example/twiml',
    voicemailMessage: 'Sorry we missed you',
  },
  credentials: { accountSid: `AC${'0'.repeat(32)}`, authToken: 'fuzz-token' },
  maxConcurrentCalls: 5,
} as Json;
const agentFields = {
  name: fc.string({ maxLength: 210 }),
  type: fc.constantFrom('CALL', 'TEXT', 'SMS'),
  provider: fc.constantFrom('retell', 'vapi', 'twilio', 'aws-sms', 'webhook', 'simulator', 'x'),
  settings: fc.dictionary(
    fc.constantFrom(
      'agentId',
      'fromNumber',
      'assistantId',
      'phoneNumberId',
      'url',
      'originationIdentity'
    ),
    fc.constantFrom('+14155550100', 'https://agent.example/x', 'pool-1', 'a', '', null)
  ),
  credentials: fc.dictionary(
    fc.constantFrom('apiKey', 'accountSid', 'authToken', 'signingSecret'),
    fc.string({ maxLength: 40 })
  ),
  maxConcurrentCalls: fc.integer({ min: -1, max: 20_000 }),
};
const randomAgent = fc.record(
  {
    id: fc.constantFrom('fuzz-agent', 'CALL_AGENT_ID', 'a.b_c-d', '-x', 'x'.repeat(129)),
    ...agentFields,
  },
  { requiredKeys: [] }
);

interface BodyKinds {
  base: Json;
  random: fc.Arbitrary<Json>;
}
const routeBodies: Partial<Record<ApiRoute, BodyKinds>> = {
  'POST /api/v1/agents': { base: agentBase, random: randomAgent as fc.Arbitrary<Json> },
  'PATCH /api/v1/agents/{agentId}': {
    base: { name: 'Renamed', settings: { fromNumber: '+14155550101' } } as Json,
    random: fc.record(agentFields, { requiredKeys: [] }) as fc.Arbitrary<Json>,
  },
  'PATCH /api/v1/organization': {
    base: organizationPatchBase,
    random: randomOrganizationPatch as fc.Arbitrary<Json>,
  },
  'POST /api/v1/workflow': { base: workflowBase, random: randomWorkflow as fc.Arbitrary<Json> },
  'PATCH /api/v1/workflow/{id}': { base: patchBase, random: randomPatch as fc.Arbitrary<Json> },
  'POST /api/v1/workflow/{id}/execution': {
    base: executionBase,
    random: randomExecution as fc.Arbitrary<Json>,
  },
  'POST /api/v1/step-executions/{stepExecutionId}/outcome': {
    base: outcomeBase,
    random: randomOutcome as fc.Arbitrary<Json>,
  },
  'POST /api/v1/workflow/{id}/execution/bulk': {
    base: { leads: [executionBase, executionBase] } as Json,
    random: fc
      .array(randomExecution, { minLength: 1, maxLength: 3 })
      .map((leads) => ({ leads }) as Json),
  },
  'POST /api/v1/workflow/{id}/execution/preview': {
    base: { leads: [executionBase, executionBase] } as Json,
    random: fc
      .array(randomExecution, { minLength: 1, maxLength: 3 })
      .map((leads) => ({ leads }) as Json),
  },
  'PUT /api/v1/workflow/{id}/execution/{executionId}': {
    base: { status: 'PAUSED', metadata: { source: 'fuzz' } },
    random: fc.record(
      {
        status: fc.constantFrom('PAUSED', 'RUNNING', 'CANCELLED'),
        metadata: fc.dictionary(fc.string(), fc.string()),
      },
      { requiredKeys: [] }
    ) as fc.Arbitrary<Json>,
  },
  'POST /api/v1/executions/cancel': {
    base: { phoneNumber: '+14155550123' },
    random: fc.oneof(
      fc.record({ phoneNumber: fc.constantFrom('+14155550123', '+12125550100', '+1415555') }),
      fc.record({ customerLeadId: fc.string({ minLength: 1, maxLength: 20 }) })
    ) as fc.Arbitrary<Json>,
  },
};
routeBodies['POST /api/v1/workflow/{id}/executions/cancel'] =
  routeBodies['POST /api/v1/executions/cancel'];

/** Bodies: mostly valid ones for the route, mutated or not, then anything else. */
function bodyFor(kinds: BodyKinds | undefined): fc.Arbitrary<string | undefined> {
  const others = Object.values(routeBodies).map((other) => other.base);
  const weight = kinds ? 1 : 0;
  const { base = null, random = fc.constant(null) } = kinds ?? {};
  return fc.oneof(
    { weight: 4 * weight, arbitrary: mutated(base).map(toJsonText) },
    { weight: 4 * weight, arbitrary: random.chain(mutated).map(toJsonText) },
    { weight: 10 * weight, arbitrary: random.map(toJsonText) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...others)
        .chain(mutated)
        .map(toJsonText),
    },
    { weight: 2, arbitrary: hostileValue.map(toJsonText) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: brokenJson },
    { weight: kinds ? 1 : 10, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(250_000, 262_145, 400_000)
        .map((size) =>
          toJsonText(objectOf([...Object.entries(base ?? {}), ['name', 'n'.repeat(size)]]))
        ),
    }
  );
}

// ---------------------------------------------------------------------------------------------
// Requests

interface RequestSpec {
  method: string;
  /** The path, with `{{placeholders}}` for ids known only at run time. */
  path: string;
  query: string;
  key: 'own' | 'none' | 'wrong' | 'empty' | 'other' | 'long';
  contentType: string | null;
  body: string | undefined;
  /** Sent with Transfer-Encoding: chunked, in two pieces. */
  chunked: boolean;
}

/** FOO is no HTTP method at all (the parser refuses it); CONNECT is left out (see the report). */
const methods = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'PROPFIND',
  'FOO',
];

const uuidExample = '0190b3a2-7d1e-7c2a-9a55-3b1f0f6f0c11';
const badSegments = [
  'not-a-uuid',
  '0',
  '-1',
  'null',
  '12345678901234567',
  '1e999',
  '__proto__',
  'constructor',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%00',
  '%25',
  '%2F',
  '%2e%2e',
  '..',
  '.',
  uuidExample.toUpperCase(),
  `{${uuidExample}}`,
  `${uuidExample}%20`,
  uuidExample.slice(0, -1),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'z'.repeat(3000),
];

const nonIdSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...badSegments) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(percentEncode) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(roughlyEncode) }
);

function idSegment(tokens: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...tokens) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: nonIdSegment }
  );
}

const anyWorkflow = ['{{wf.open}}', '{{wf.patchable}}', '{{wf.inactive}}', '{{wf.other}}'];
/** Controls act on the fuzz's own runs of the open workflow, and on another organization's. */
const ownRun = {
  id: ['{{wf.open}}', '{{wf.open}}', '{{wf.other}}'],
  executionId: ['{{exec.own}}', '{{exec.own}}', '{{exec.other}}'],
};
const segmentTokens: Record<ApiRoute, Record<string, string[]>> = {
  'GET /api/v1/organization': {},
  'PATCH /api/v1/organization': {},
  'POST /api/v1/workflow': {},
  'GET /api/v1/workflow': {},
  'GET /api/v1/workflow/{id}': { id: [...anyWorkflow, '{{wf.created}}'] },
  'PATCH /api/v1/workflow/{id}': {
    id: ['{{wf.patchable}}', '{{wf.other}}', '{{wf.created}}', '{{wf.created}}'],
  },
  'DELETE /api/v1/workflow/{id}': { id: ['{{wf.deletable}}', '{{wf.other}}'] },
  'POST /api/v1/workflow/{id}/execution': {
    id: [...anyWorkflow, '{{wf.open}}', '{{wf.created}}', '{{wf.created}}', '{{wf.created}}'],
  },
  'GET /api/v1/workflow/{id}/executions': { id: [...anyWorkflow, '{{wf.created}}'] },
  'GET /api/v1/workflow/{id}/execution/{executionId}': {
    id: ['{{wf.open}}', '{{wf.open}}', '{{wf.other}}', '{{wf.patchable}}'],
    executionId: ['{{exec.own}}', '{{exec.own}}', '{{exec.other}}'],
  },
  'GET /api/v1/workflow/{id}/execution/{executionId}/events': {
    id: ['{{wf.open}}', '{{wf.open}}', '{{wf.other}}', '{{wf.patchable}}'],
    executionId: ['{{exec.own}}', '{{exec.own}}', '{{exec.other}}'],
  },
  'POST /api/v1/step-executions/{stepExecutionId}/outcome': {
    stepExecutionId: ['{{step.fresh}}', '{{step.fresh}}', '{{step.used}}', '{{step.other}}'],
  },
  'POST /api/v1/workflow/{id}/execution/bulk': { id: [...anyWorkflow, '{{wf.created}}'] },
  'POST /api/v1/workflow/{id}/execution/preview': { id: [...anyWorkflow, '{{wf.created}}'] },
  'PUT /api/v1/workflow/{id}/execution/{executionId}': ownRun,
  'DELETE /api/v1/workflow/{id}/execution/{executionId}': ownRun,
  'POST /api/v1/workflow/{id}/execution/{executionId}/pause': ownRun,
  'POST /api/v1/workflow/{id}/execution/{executionId}/resume': ownRun,
  'POST /api/v1/workflow/{id}/execution/{executionId}/cancel': ownRun,
  'POST /api/v1/workflow/{id}/executions/{executionId}/cancel': ownRun,
  'POST /api/v1/workflow/{id}/executions/cancel': { id: anyWorkflow },
  'POST /api/v1/executions/cancel': {},
  'GET /api/v1/suppressions': {},
  'POST /api/v1/suppressions': {},
  'DELETE /api/v1/suppressions/{phoneNumber}': { phoneNumber: ['%2B14155550100', '14155550100'] },
  'PUT /api/v1/organization/emergency-stops/{state}': { state: ['AK', 'gu', 'XX'] },
  'DELETE /api/v1/organization/emergency-stops/{state}': { state: ['AK', 'gu', 'XX'] },
  'POST /api/v1/webhooks': {},
  'GET /api/v1/webhooks': {},
  // No subscription of its own: any UUID is another organization's or nobody's (404).
  'GET /api/v1/webhooks/{webhookId}': { webhookId: ['{{exec.other}}'] },
  'DELETE /api/v1/webhooks/{webhookId}': { webhookId: ['{{exec.other}}'] },
  'POST /api/v1/agents': {},
  'GET /api/v1/agents': {},
  'GET /api/v1/agents/{agentId}': { agentId: ['fuzz-agent', 'CALL_AGENT_ID', 'a%23b'] },
  'PATCH /api/v1/agents/{agentId}': { agentId: ['fuzz-agent', 'CALL_AGENT_ID'] },
  'DELETE /api/v1/agents/{agentId}': { agentId: ['fuzz-agent', 'CALL_AGENT_ID'] },
};

function routePath(route: ApiRoute): fc.Arbitrary<string> {
  const template = route.split(' ')[1] as string;
  const names = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const segments = names.map((name) => idSegment(segmentTokens[route][name] ?? []));
  return fc
    .tuple(
      fc.tuple(...segments),
      fc.oneof({ weight: 12, arbitrary: fc.constant('') }, fc.constantFrom('/', '//'))
    )
    .map(([values, slashes]) => {
      let i = 0;
      const path = template.replace(/\{\w+\}/g, () => values[i++] as string);
      // Doubled or trailing slashes: API Gateway ignores empty segments.
      return slashes.length === 2 ? path.replace('/v1/', '/v1//') : `${path}${slashes}`;
    });
}

const limitValues = [
  '0',
  '1',
  '100',
  '101',
  '-1',
  '1.5',
  '1e2',
  '1e999',
  '12345678901234567',
  'NaN',
  'Infinity',
  '',
  ' 5 ',
  '0x10',
  'abc',
  '%zz',
  '%',
  '5%00',
];

const cursorValues = [
  '{{cursor.workflows}}',
  '{{cursor.executions}}',
  '{{cursor.workflows.flipped}}',
  '{{cursor.workflows.truncated}}',
  '{{cursor.executions.padded}}',
  cursorOf({ after: null }),
  cursorOf({ after: 123 }),
  cursorOf({ after: new Raw('1e999') }),
  cursorOf({ after: uuidExample, extra: 1 }),
  cursorOf({ after: uuidExample, pk: 'ORG#x', sk: 'WORKFLOW#y' }),
  cursorOf(objectOf([['__proto__', { after: uuidExample }]])),
  cursorOf({ after: 'not-a-uuid' }),
  cursorOf({ after: '' }),
  cursorOf({ after: [uuidExample] }),
  cursorOf({ after: { S: uuidExample } }),
  cursorOf({ after: uuidExample }),
  cursorOf({ after: '00000000-0000-0000-0000-000000000000' }),
  cursorOf({ after: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }),
  cursorOf([]),
  cursorOf('null'),
  cursorOf('"str"'),
  cursorOf('{"after":"\\ud800"}'),
  cursorOf(nested(50, 'object')),
  cursorOf('{"after":'),
  Buffer.from(JSON.stringify({ after: uuidExample })).toString('base64'),
  '!!!!',
  '%zz',
  '%',
  '%E0%A4%A',
  '====',
  'A',
  'A'.repeat(511),
  'A'.repeat(513),
  'A'.repeat(5000),
  cursorOf({ after: uuidExample, pad: 'p'.repeat(400) }),
];

const queryPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(
    fc.constant('limit'),
    fc.oneof(fc.constantFrom(...limitValues), fc.integer().map(String))
  ),
  fc.tuple(
    fc.constant('cursor'),
    fc.oneof(fc.constantFrom(...cursorValues), fc.string({ maxLength: 20 }))
  ),
  fc.tuple(
    fc.constant('status'),
    fc.constantFrom('CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'running', '', 'X', '__proto__')
  ),
  fc.tuple(fc.constant('enriched'), fc.constantFrom('true', 'false', 'TRUE', '1', '')),
  fc.tuple(
    fc.constant('customerLeadId'),
    fc.oneof(fc.constantFrom(...explicitStrings), fc.string())
  ),
  fc.tuple(
    fc.constantFrom(...hostileKeys, 'limit[]', 'x', '%zz', '%', 'cursor%00'),
    fc.string({ maxLength: 10 })
  )
);

const query: fc.Arbitrary<string> = fc
  .array(fc.tuple(queryPair, fc.boolean()), { minLength: 1, maxLength: 4 })
  .map(
    (pairs) =>
      `?${pairs
        .map(([[name, value], asTyped]) =>
          asTyped
            ? `${roughlyEncode(name)}=${roughlyEncode(value)}`
            : `${percentEncode(name)}=${percentEncode(value)}`
        )
        .join('&')}`
  );

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'application/vnd.api+json',
  'application/jsonp',
  'application/json-seq',
  'text/plain',
  'text/json',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
  '*/*',
];

const keyChoice = fc.oneof(
  { weight: 15, arbitrary: fc.constant('own' as const) },
  fc.constantFrom<RequestSpec['key']>('none', 'wrong', 'empty', 'other', 'long')
);

function requestFor(routes: readonly ApiRoute[]): fc.Arbitrary<RequestSpec> {
  return fc.constantFrom(...routes).chain((route) => {
    const method = route.split(' ')[0] as string;
    return fc.record({
      method: fc.oneof({ weight: 12, arbitrary: fc.constant(method) }, fc.constantFrom(...methods)),
      path: routePath(route),
      query: fc.oneof({ weight: method === 'GET' ? 1 : 6, arbitrary: fc.constant('') }, query),
      key: keyChoice,
      contentType: fc.oneof(
        { weight: 15, arbitrary: fc.constant('application/json') },
        fc.constant(null),
        fc.constantFrom(...contentTypes)
      ),
      body: bodyFor(routeBodies[route]),
      chunked: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
    });
  });
}

const unknownSegments = [
  'api',
  'v1',
  'v2',
  'workflow',
  'workflows',
  'execution',
  'executions',
  'step-executions',
  'outcome',
  'API',
  'Workflow',
  uuidExample,
  '{{wf.open}}',
  '%zz',
  '%',
  '..',
  '{id}',
];

const unknownRequest: fc.Arbitrary<RequestSpec> = fc.record({
  method: fc.constantFrom(...methods),
  path: fc
    .array(fc.oneof(fc.constantFrom(...unknownSegments), nonIdSegment), { maxLength: 6 })
    .map((segments) => `/${segments.join('/')}`),
  query: fc.oneof(fc.constant(''), query),
  key: fc.constantFrom<RequestSpec['key']>('own', 'own', 'own', 'none', 'wrong'),
  contentType: fc.constantFrom('application/json', null, 'text/plain'),
  body: bodyFor(undefined),
  chunked: fc.constant(false),
});

// ---------------------------------------------------------------------------------------------
// Fixed examples: the issue's values in every field of every body, and its named cases

function fixedRequest(
  route: ApiRoute,
  path: string,
  body: string | undefined,
  over: Partial<RequestSpec> = {}
): RequestSpec {
  return {
    method: route.split(' ')[0] as string,
    path,
    query: '',
    key: 'own',
    contentType: 'application/json',
    body,
    chunked: false,
    ...over,
  };
}

const bodyRoutes: Array<[ApiRoute, string]> = [
  ['PATCH /api/v1/organization', '/api/v1/organization'],
  ['POST /api/v1/workflow', '/api/v1/workflow'],
  ['POST /api/v1/agents', '/api/v1/agents'],
  ['PATCH /api/v1/workflow/{id}', '/api/v1/workflow/{{wf.patchable}}'],
  ['POST /api/v1/workflow/{id}/execution', '/api/v1/workflow/{{wf.open}}/execution'],
  [
    'POST /api/v1/step-executions/{stepExecutionId}/outcome',
    '/api/v1/step-executions/{{step.fresh}}/outcome',
  ],
];

function fieldExamples(route: ApiRoute, path: string): RequestSpec[] {
  const base = routeBodies[route]?.base ?? null;
  const requests: RequestSpec[] = [];
  for (let at = 0; at < pathsOf(base).length; at++) {
    for (const value of explicitValues) {
      const body = mutate(base, [{ at, op: 'set', key: '', value }]);
      requests.push(fixedRequest(route, path, toJsonText(body)));
    }
    for (const key of forbiddenKeys) {
      const body = mutate(base, [{ at, op: 'addKey', key, value: objectOf([['x', 1]]) }]);
      requests.push(fixedRequest(route, path, toJsonText(body)));
    }
  }
  return requests;
}

const percentExamples: RequestSpec[] = apiRoutes
  .filter((route) => route.includes('{'))
  .flatMap((route) =>
    ['%', '%zz', '%E0%A4%A', '%ED%A0%80', 'not-a-uuid', ''].map((segment) => {
      const base = routeBodies[route]?.base;
      const path = (route.split(' ')[1] as string).replace(/\{\w+\}/g, segment);
      return fixedRequest(route, path, base === undefined ? undefined : toJsonText(base));
    })
  );

const cursorExamples: RequestSpec[] = [
  '/api/v1/workflow',
  '/api/v1/workflow/{{wf.open}}/executions',
].flatMap((path) =>
  [
    ...cursorValues.map((cursor) => `?cursor=${roughlyEncode(cursor)}`),
    ...limitValues.map((limit) => `?limit=${roughlyEncode(limit)}`),
  ].map((query) => fixedRequest('GET /api/v1/workflow', path, undefined, { query }))
);

const executionPath = '/api/v1/workflow/{{wf.open}}/execution';
const withVariables = (variables: Json) =>
  toJsonText(objectOf([...Object.entries(executionBase as JsonObject), ['variables', variables]]));

const namedExamples: RequestSpec[] = [
  ...contentTypes.map((contentType) =>
    fixedRequest('POST /api/v1/workflow', '/api/v1/workflow', toJsonText(workflowBase), {
      contentType,
    })
  ),
  fixedRequest('POST /api/v1/workflow', '/api/v1/workflow', toJsonText(workflowBase), {
    contentType: null,
  }),
  ...(['none', 'wrong', 'empty', 'other', 'long'] as const).map((key) =>
    fixedRequest('GET /api/v1/workflow/{id}', '/api/v1/workflow/{{wf.open}}', undefined, { key })
  ),
  ...['[]', 'null', '"workflow"', '123', 'true', '[{}]', ''].map((body) =>
    fixedRequest('POST /api/v1/workflow', '/api/v1/workflow', body)
  ),
  fixedRequest('POST /api/v1/workflow', '/api/v1/workflow', toJsonText(nested(100_000, 'array'))),
  ...[41, 2_000, 60_000].flatMap((depth) =>
    (['array', 'object'] as const).map((kind) =>
      fixedRequest(
        'POST /api/v1/workflow/{id}/execution',
        executionPath,
        withVariables(objectOf([['deep', nested(depth, kind)]]))
      )
    )
  ),
  ...forbiddenKeys.map((key) =>
    fixedRequest(
      'POST /api/v1/workflow/{id}/execution',
      executionPath,
      withVariables(objectOf([['a', objectOf([[key, objectOf([['polluted', true]])]])]]))
    )
  ),
  fixedRequest(
    'POST /api/v1/workflow/{id}/execution',
    executionPath,
    withVariables(objectOf([['many', Array.from({ length: 40_000 }, () => new Raw('1e999'))]]))
  ),
  ...['1e-131', '5e-324', '1e16', '1e999', '12345678901234567', '-0'].map((duration) =>
    fixedRequest(
      'POST /api/v1/step-executions/{stepExecutionId}/outcome',
      '/api/v1/step-executions/{{step.fresh}}/outcome',
      `{"disposition":"NO_ANSWER","agentCall":{"callDuration":${duration}}}`
    )
  ),
];

function batches(requests: RequestSpec[]): [RequestSpec[]][] {
  const out: [RequestSpec[]][] = [];
  for (let i = 0; i < requests.length; i += BATCH) out.push([requests.slice(i, i + BATCH)]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Run-time ids: seeded workflows and executions, a pool of unreported step executions

interface Context {
  keys: { own: string; other: string };
  workflows: { open: string; patchable: string; inactive: string; other: string };
  /** Workflows the fuzz created (201) and has not deleted. */
  created: string[];
  /** Workflows a fuzzed DELETE removed (whichever placeholder named them). */
  deleted: Set<string>;
  /** Own executions: the seeded ones and those the fuzz created. */
  executions: string[];
  /** Executions the fuzz created (201), with their workflow. */
  createdExecutions: Array<{ workflowId: string; id: string }>;
  otherExecution: string;
  otherStep: string;
  cursors: { workflows: string; executions: string };
}

let api: ApiClient;
let ctx: Context;
let port: number;
const agent = new Agent({ keepAlive: true, maxSockets: BATCH });
const stats = { sent: 0, byStatus: new Map<number, number>(), startedAt: 0 };

async function raw(method: string, path: string, body?: unknown, key = ctx.keys.own) {
  const response = await fetch(`${api.runtime.url}${path}`, {
    method,
    headers: {
      'x-api-key': key,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the tests
  return { status: response.status, body: (await response.json()) as any };
}

/** A new execution of the open workflow, once its first step was dispatched: its step id. */
async function dispatchedStep(workflowId: string, key = ctx.keys.own): Promise<string> {
  const created = await raw(
    'POST',
    `/api/v1/workflow/${workflowId}/execution`,
    { ...featherExecution, primaryPhone: distinctPhone(), customerLeadId: `pool-${randomUUID()}` },
    key
  );
  expect(created.status).toBe(201);
  if (key === ctx.keys.own) ctx.executions.push(created.body.id);
  else ctx.otherExecution = created.body.id;
  const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
  const deadline = performance.now() + 60_000;
  for (;;) {
    const running = await raw('GET', path, undefined, key);
    const dispatched = (running.body.stepExecutions ?? []).filter(
      (step: { status: string }) => step.status !== 'PENDING'
    );
    if (dispatched.length === 1) return dispatched[0].id;
    if (performance.now() > deadline) throw new Error(`${path} was never dispatched`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Step executions nobody reported on yet. A request takes one for itself; when its report was
 * the first (200, not a duplicate) the step is used up and a new execution replaces it,
 * otherwise the step goes back to the pool.
 */
const steps = {
  fresh: [] as string[],
  used: [] as string[],
  waiting: [] as Array<(id: string) => void>,
  refills: new Set<Promise<void>>(),
  refillErrors: [] as unknown[],
  take(): Promise<string> {
    const id = steps.fresh.shift();
    return id ? Promise.resolve(id) : new Promise((resolve) => steps.waiting.push(resolve));
  },
  giveBack(id: string): void {
    const waiter = steps.waiting.shift();
    if (waiter) waiter(id);
    else steps.fresh.push(id);
  },
  usedUp(id: string): void {
    steps.used.push(id);
    const refill = dispatchedStep(ctx.workflows.open)
      .then(steps.giveBack)
      .catch((error: unknown) => {
        steps.refillErrors.push(error);
      })
      .finally(() => steps.refills.delete(refill));
    steps.refills.add(refill);
  },
};

/** Run-time ids are taken in turn (no randomness besides the seed's). */
let turn = 0;
function pick(list: readonly string[], fallback: string): string {
  return list.length === 0 ? fallback : (list[turn++ % list.length] as string);
}

interface Resolved {
  path: string;
  /** A fuzz-created workflow this request may delete. */
  deleting?: string;
  /** A fresh step execution this request reports on. */
  step?: string;
}

async function resolve(text: string, method: string): Promise<Resolved> {
  const resolved: Resolved = { path: '' };
  const flip = (cursor: string) =>
    `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
  const values: Record<string, () => string | Promise<string>> = {
    'wf.open': () => ctx.workflows.open,
    'wf.patchable': () => ctx.workflows.patchable,
    'wf.inactive': () => ctx.workflows.inactive,
    'wf.other': () => ctx.workflows.other,
    'wf.created': () => pick(ctx.created, ctx.workflows.patchable),
    // Only workflows the fuzz created itself are deleted: the seeded ones stay (see below).
    'wf.deletable': () => {
      resolved.deleting = ctx.created.splice(turn++ % Math.max(1, ctx.created.length), 1)[0];
      return resolved.deleting ?? randomUUID();
    },
    'exec.own': () => pick(ctx.executions, randomUUID()),
    'exec.other': () => ctx.otherExecution,
    'step.fresh': async () => {
      resolved.step = await steps.take();
      return resolved.step;
    },
    'step.used': () => pick(steps.used, randomUUID()),
    'step.other': () => ctx.otherStep,
    'cursor.workflows': () => ctx.cursors.workflows,
    'cursor.executions': () => ctx.cursors.executions,
    'cursor.workflows.flipped': () => flip(ctx.cursors.workflows),
    'cursor.workflows.truncated': () => ctx.cursors.workflows.slice(0, -3),
    'cursor.executions.padded': () => `${ctx.cursors.executions}==`,
  };
  const seeded = ['wf.open', 'wf.patchable', 'wf.inactive'];
  let path = '';
  let rest = text;
  for (let match = /\{\{([\w.]+)\}\}/.exec(rest); match; match = /\{\{([\w.]+)\}\}/.exec(rest)) {
    const token =
      method === 'DELETE' && seeded.includes(match[1] as string) ? 'wf.deletable' : match[1];
    const value = values[token as string];
    path += rest.slice(0, match.index) + (value ? await value() : match[0]);
    rest = rest.slice(match.index + match[0].length);
  }
  resolved.path = path + rest;
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Sending, and what every answer must look like

interface Answer {
  path: string;
  status: number;
  contentType: string | undefined;
  text: string;
  error?: string;
}

const keyValues = (key: RequestSpec['key']) =>
  ({
    own: ctx.keys.own,
    none: undefined,
    wrong: 'ow_wrong',
    empty: '',
    other: ctx.keys.other,
    long: `ow_${'k'.repeat(8000)}`,
  })[key];

async function send(spec: RequestSpec): Promise<Answer> {
  const resolved = await resolve(`${spec.path}${spec.query}`, spec.method);
  const headers: Record<string, string> = {};
  const key = keyValues(spec.key);
  if (key !== undefined) headers['x-api-key'] = key;
  if (spec.contentType !== null) headers['content-type'] = spec.contentType;
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body, 'utf8');
  if (body) {
    if (spec.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(body.length);
  }
  stats.sent++;
  const answer = await new Promise<Answer>((done) => {
    const fail = (error: Error) =>
      done({
        path: resolved.path,
        status: 0,
        contentType: undefined,
        text: '',
        error: String(error),
      });
    const req = httpRequest(
      { host: '127.0.0.1', port, method: spec.method, path: resolved.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', fail);
        res.on('end', () =>
          done({
            path: resolved.path,
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
          })
        );
      }
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')));
    req.on('error', fail);
    if (body && spec.chunked) {
      // Split anywhere, a multi-byte character included.
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(body);
  });
  stats.byStatus.set(answer.status, (stats.byStatus.get(answer.status) ?? 0) + 1);
  // Not deleted by this request: back to the list (a concurrent DELETE is caught in `record`).
  if (resolved.deleting && answer.status !== 200) ctx.created.push(resolved.deleting);
  if (resolved.step) {
    const firstReport = answer.status === 200 && answer.text.includes('"duplicate":false');
    if (firstReport) steps.usedUp(resolved.step);
    else steps.giveBack(resolved.step);
  }
  return answer;
}

const codesByStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'BAD_REQUEST',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'BAD_REQUEST',
};

/** What is wrong with an answer, or undefined when it is a proper one. */
function problemOf(spec: RequestSpec, answer: Answer): string | undefined {
  if (answer.error) return `no answer: ${answer.error}`;
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (!answer.contentType?.startsWith('application/json'))
    return `content-type ${answer.contentType}`;
  if (spec.method === 'HEAD') return answer.text === '' ? undefined : 'HEAD answered a body';
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return 'body is not JSON';
  }
  if (body === null || typeof body !== 'object') return 'body is not a JSON object';
  const fields = body as Record<string, unknown>;
  if (answer.status >= 200 && answer.status < 300) {
    return fields.success === false ? 'a 2xx in the error envelope' : undefined;
  }
  if (answer.status < 400) return `answered ${answer.status}`;
  const { status, code, message, success, details, ...rest } = fields;
  if (Object.keys(rest).length > 0) return `extra envelope fields ${Object.keys(rest)}`;
  if (status !== answer.status) return `envelope status ${status} ≠ HTTP ${answer.status}`;
  if (codesByStatus[answer.status] !== code)
    return `code ${code} does not belong to ${answer.status}`;
  if (typeof message !== 'string' || message === '') return 'no message';
  if (success !== false) return 'success is not false';
  if (details === undefined) return undefined;
  if (code !== 'BAD_REQUEST') return 'details outside a validation error';
  const wellFormed =
    Array.isArray(details) &&
    details.every((issue) => typeof issue?.path === 'string' && typeof issue?.message === 'string');
  return wellFormed ? undefined : 'malformed details';
}

/** Keeps track of what the fuzz created and deleted. */
function record(spec: RequestSpec, answer: Answer): void {
  const path = answer.path.split('?')[0]?.replace(/\/+$/, '').replace(/\/\/+/g, '/') ?? '';
  if (spec.method === 'DELETE' && answer.status === 200) {
    const id = path.split('/').at(-1) ?? '';
    ctx.deleted.add(id);
    ctx.created = ctx.created.filter((created) => created !== id);
  }
  // A 201 under the other organization's key created something that is not ours.
  if (spec.method !== 'POST' || answer.status !== 201 || spec.key !== 'own') return;
  const body = JSON.parse(answer.text) as { id?: string; workflowId?: string };
  if (typeof body.id !== 'string') return; // a bulk answer: its runs are not tracked here
  if (path.endsWith('/execution')) {
    ctx.createdExecutions.push({ workflowId: body.workflowId as string, id: body.id });
    ctx.executions.push(body.id);
  } else if (path.endsWith('/workflow')) ctx.created.push(body.id);
}

function describeRequest(spec: RequestSpec, answer: Answer): string {
  const clip = (text: string, max = 400) =>
    text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  return [
    `${spec.method} ${clip(answer.path)} key=${spec.key} content-type=${spec.contentType}${spec.chunked ? ' chunked' : ''}`,
    `  body: ${spec.body === undefined ? '(none)' : clip(spec.body)}`,
    `  → ${answer.status} ${clip(answer.text)}${answer.error ?? ''}`,
  ].join('\n');
}

const batchProperty = (arbitrary: fc.Arbitrary<RequestSpec>) =>
  fc.asyncProperty(fc.array(arbitrary, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
    const answers = await Promise.all(batch.map(send));
    const problems: string[] = [];
    batch.forEach((spec, i) => {
      const answer = answers[i] as Answer;
      const problem = problemOf(spec, answer);
      if (problem) problems.push(`${problem}\n${describeRequest(spec, answer)}`);
      else record(spec, answer);
    });
    if (problems.length > 0) throw new Error(problems.join('\n\n'));
  });

async function fuzz(
  arbitrary: fc.Arbitrary<RequestSpec>,
  options: { runs: number; seed: number; examples?: RequestSpec[] }
): Promise<void> {
  const examples = batches(options.examples ?? []);
  // fast-check counts examples among the runs.
  await fc.assert(batchProperty(arbitrary), {
    seed: options.seed,
    numRuns: options.runs + examples.length,
    examples,
  });
}

// ---------------------------------------------------------------------------------------------
// Setup

async function createWorkflow(body: object, key?: string): Promise<string> {
  const created = await raw('POST', '/api/v1/workflow', body, key);
  expect(created.status).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  api = await bootLocalApi({ environment: { OUTREACH_CHANNEL: 'manual' } });
  port = Number(new URL(api.runtime.url).port);
  const otherOrganization = await ensureOrganization('fuzz-other', new Date());
  const otherKey = generateApiKey();
  await storeApiKey(otherOrganization, otherKey, new Date());
  ctx = {
    keys: { own: api.runtime.apiKey, other: otherKey },
    workflows: { open: '', patchable: '', inactive: '', other: '' },
    created: [],
    deleted: new Set(),
    executions: [],
    createdExecutions: [],
    otherExecution: '',
    otherStep: '',
    cursors: { workflows: '', executions: '' },
  };
  const openWorkflow = {
    ...featherWorkflow,
    workflowSchedule: alwaysOpen,
    tcpaSchedule: alwaysOpen,
  };
  ctx.workflows.open = await createWorkflow(openWorkflow);
  ctx.workflows.patchable = await createWorkflow(openWorkflow);
  ctx.workflows.inactive = await createWorkflow({ ...openWorkflow, active: false });
  ctx.workflows.other = await createWorkflow(openWorkflow, otherKey);
  ctx.otherStep = await dispatchedStep(ctx.workflows.other, otherKey);
  steps.fresh = await Promise.all(
    Array.from({ length: STEP_POOL }, () => dispatchedStep(ctx.workflows.open))
  );
  ctx.cursors.workflows = (await raw('GET', '/api/v1/workflow?limit=1')).body.pagination.nextCursor;
  ctx.cursors.executions = (
    await raw('GET', `/api/v1/workflow/${ctx.workflows.open}/executions?limit=1`)
  ).body.pagination.nextCursor;
  expect(ctx.cursors.workflows).toEqual(expect.any(String));
  expect(ctx.cursors.executions).toEqual(expect.any(String));
  stats.startedAt = performance.now();
});

afterAll(async () => {
  agent.destroy();
  await api?.runtime.stop();
});

// ---------------------------------------------------------------------------------------------

const workflowRoutes = apiRoutes.filter(
  (route) => route.includes('/workflow') && !route.includes('execution')
);
const executionRoutes = apiRoutes.filter((route) => route.includes('/execution'));
const outcomeRoutes = apiRoutes.filter((route) => route.includes('step-executions'));

describe('fuzzed requests answer below 500, in the envelope', () => {
  it('the issue’s values in every body field, bad percent-encoding, edited cursors', async () => {
    const examples = [
      ...bodyRoutes.flatMap(([route, path]) => fieldExamples(route, path)),
      ...percentExamples,
      ...cursorExamples,
      ...namedExamples,
    ];
    await fuzz(requestFor(apiRoutes), { runs: 0, seed: SEED, examples });
  });

  it('workflow routes: create, list, get, patch, delete', async () => {
    await fuzz(requestFor(workflowRoutes), { runs: 200, seed: SEED + 1 });
  });

  it('execution routes: create, list, get', async () => {
    await fuzz(requestFor(executionRoutes), { runs: 200, seed: SEED + 2 });
  });

  it('outcome reports, each on a step execution not reported yet', async () => {
    await fuzz(requestFor(outcomeRoutes), { runs: 90, seed: SEED + 3 });
  });

  it('concurrent first reports on one step execution: one records, the rest are duplicates', async () => {
    for (let round = 0; round < 4; round++) {
      const step = await steps.take();
      const reports = dispositions
        .slice(0, BATCH)
        .map((disposition) =>
          fixedRequest(
            'POST /api/v1/step-executions/{stepExecutionId}/outcome',
            `/api/v1/step-executions/${step}/outcome`,
            toJsonText({ disposition, agentCall: { callDuration: 1.5 } })
          )
        );
      const answers = await Promise.all(reports.map(send));
      steps.usedUp(step);
      const problems = reports
        .map((spec, i) => {
          const answer = answers[i] as Answer;
          const problem = problemOf(spec, answer);
          return problem && `${problem}\n${describeRequest(spec, answer)}`;
        })
        .filter(Boolean);
      expect(problems).toEqual([]);
      const first = answers.filter((answer) => answer.text.includes('"duplicate":false'));
      expect(first).toHaveLength(1);
    }
  });

  it('every route and method mixed, unknown routes and methods', async () => {
    const mixed = fc.oneof({ weight: 3, arbitrary: requestFor(apiRoutes) }, unknownRequest);
    await fuzz(mixed, { runs: 150, seed: SEED + 4 });
  });
});

describe('after the fuzz', () => {
  it('sent at least 5,000 requests, and the server still serves normal ones', async () => {
    await Promise.all(steps.refills);
    expect(steps.refillErrors).toEqual([]);
    const seconds = (performance.now() - stats.startedAt) / 1000;
    const byStatus = Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b));
    console.info(
      `fuzz: ${stats.sent} requests in ${seconds.toFixed(1)} s; by status ${JSON.stringify(byStatus)}`
    );
    expect(stats.sent).toBeGreaterThanOrEqual(5000);
    expect((await raw('GET', '/api/v1/workflow')).status).toBe(200);
    const workflowId = await createWorkflow({ ...featherWorkflow, tcpaSchedule: alwaysOpen });
    const execution = await raw(
      'POST',
      `/api/v1/workflow/${workflowId}/execution`,
      featherExecution
    );
    expect(execution.status).toBe(201);
    const read = await raw('GET', `/api/v1/workflow/${workflowId}/execution/${execution.body.id}`);
    expect(read.status).toBe(200);
  });

  it('left no half-written run: every listed execution of the fuzzed workflows reads back', async () => {
    const seeded = [ctx.workflows.open, ctx.workflows.patchable, ctx.workflows.inactive];
    const created = new Set(ctx.created.filter((id) => !ctx.deleted.has(id)));
    const workflows = [...seeded, ...created];
    const listed = new Set<string>();
    const orphans: string[] = [];
    for (const workflowId of workflows) {
      for (const enriched of ['false', 'true']) {
        let cursor: string | null = null;
        do {
          const page: Awaited<ReturnType<typeof raw>> = await raw(
            'GET',
            `/api/v1/workflow/${workflowId}/executions?limit=100&enriched=${enriched}${cursor ? `&cursor=${cursor}` : ''}`
          );
          expect(page.status, `list of workflow ${workflowId}`).toBe(200);
          for (const { id } of page.body.executions as Array<{ id: string }>) {
            if (listed.has(id)) continue;
            listed.add(id);
            const read = await raw('GET', `/api/v1/workflow/${workflowId}/execution/${id}`);
            if (read.status !== 200) orphans.push(`${workflowId}/${id}: ${read.status}`);
          }
          cursor = page.body.pagination.nextCursor;
        } while (cursor);
      }
    }
    expect(orphans).toEqual([]);
    const kept = new Set(workflows);
    const missing = ctx.createdExecutions.filter(
      (created) =>
        kept.has(created.workflowId) && !listed.has(created.id) && !ctx.deleted.has(created.id)
    );
    expect(missing).toEqual([]);
    expect(listed.size).toBeGreaterThanOrEqual(STEP_POOL);
  });
});
