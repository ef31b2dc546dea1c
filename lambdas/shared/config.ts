import { z } from 'zod';
import { dispositionSchema } from '../schemas/common.js';

/** The channels a deployment can hand step attempts to. */
export const channelNames = ['simulator', 'manual', 'webhook'] as const;
export type ChannelName = (typeof channelNames)[number];

const optionalText = z.string().min(1).optional();
const optionalUrl = z.url().optional();

/**
 * Every environment variable the functions read, with its meaning and default. The CDK side
 * sets them by these names (`envNames`), the local runtime through the same template, so a name
 * cannot drift between deploy, local mode and code.
 */
const configSchema = z.object({
  /** The single DynamoDB table. */
  TABLE_NAME: optionalText,
  /** The state machine that runs one execution per workflow execution (api, sweep, reconciler). */
  STATE_MACHINE_ARN: optionalText,
  /** The role EventBridge Scheduler assumes to start a run whose start lies far ahead. */
  SCHEDULER_ROLE_ARN: optionalText,
  /** The stack's own EventBridge Scheduler group for those one-time start schedules. */
  SCHEDULE_GROUP: z.string().min(1).default('default'),
  /** Where new step attempts go. */
  OUTREACH_CHANNEL: z.enum(channelNames).default('simulator'),
  /**
   * webhook channel: the agent endpoint, the Secrets Manager secret (ARN or name) holding the
   * HMAC signing key (its value is never in the environment), this API's public base URL.
   */
  AGENT_WEBHOOK_URL: optionalUrl,
  AGENT_WEBHOOK_SECRET_ARN: optionalText,
  PUBLIC_API_URL: optionalUrl,
  /**
   * Where agent credentials live: one Secrets Manager secret per organization and agent, named
   * `<prefix>/<organizationId>/<agentId>/credentials`. The prefix is the stack's, so the
   * functions' grants can be held to this deployment's secrets.
   */
  AGENT_SECRETS_PREFIX: optionalText,
  /**
   * Provider API base URLs for agents' channels. The real ones by default; the local runtime's
   * tests point them at loopback fakes of the providers.
   */
  RETELL_API_URL: z.url().default('https://api.retellai.com'),
  TWILIO_API_URL: z.url().default('https://api.twilio.com'),
  VAPI_API_URL: z.url().default('https://api.vapi.ai'),
  /** simulator channel: delay before the outcome, a forced outcome, the contact ledger file. */
  SIMULATOR_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(1500),
  SIMULATOR_OUTCOME: dispositionSchema.optional(),
  SIMULATOR_LEDGER_FILE: optionalText,
  /**
   * Per-organization request limit on the API: requests per second sustained, and how many may
   * come at once (see domain/request-window.ts). The local runtime raises both.
   */
  ORG_REQUEST_RATE: z.coerce.number().positive().max(100_000).default(50),
  ORG_REQUEST_BURST: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /**
   * Runs deferred to the same window opening are dispatched over this many seconds, newest
   * priorityDate first (see domain/dispatch-spread.ts). 0 dispatches them all at the opening.
   */
  DISPATCH_SPREAD_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /**
   * `enforced` (the default): federal and state calling-hour law and holidays apply on top of the
   * workflow's schedules (domain/state-rules.ts). `off` leaves only the workflow's schedules: for
   * the end-to-end harness, whose runs must dispatch at any hour of the real clock.
   */
  STATE_CALLING_RULES: z.enum(['enforced', 'off']).default('enforced'),
  /**
   * Lifecycle events: the EventBridge bus they are put on (unset: none are published, as in the
   * use-case tests), the queue of per-subscription webhook deliveries, and the name prefix of the
   * subscriptions' signing secrets in Secrets Manager (the grants are scoped to it).
   */
  EVENT_BUS_NAME: optionalText,
  WEBHOOK_DELIVERY_QUEUE_URL: optionalText,
  WEBHOOK_SECRET_PREFIX: z.string().min(1).default('outreach/webhooks/'),
  /**
   * Local runtime only: subscriptions may also name http://127.0.0.1 (a receiver in the test
   * process). Never set on AWS, where an endpoint must be HTTPS on a public host.
   */
  WEBHOOK_ALLOW_LOOPBACK_HTTP: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /**
   * How long a pacing slot stays taken without an outcome (domain/pacing.ts). An attempt whose
   * outcome never comes (a crash, a lost report) gives its slot back when this ends; a call
   * still going past it no longer counts against the cap, so set it above the longest call.
   */
  SLOT_LEASE_SECONDS: z.coerce.number().int().min(10).max(1_000_000_000).default(1800),
  /** Local runtime only: SDK endpoints on loopback. Absent on AWS. */
  DYNAMODB_ENDPOINT: optionalUrl,
  SFN_ENDPOINT: optionalUrl,
  SCHEDULER_ENDPOINT: optionalUrl,
  SECRETSMANAGER_ENDPOINT: optionalUrl,
  EVENTBRIDGE_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
  /** AWS End User Messaging SMS (pinpoint-sms-voice-v2), which AWS SMS agents send through. */
  AWS_SMS_ENDPOINT: optionalUrl,
  /**
   * Where SNS signing certificates and subscription confirmations are fetched instead of
   * `https://sns.<region>.amazonaws.com` (path and query kept): only after the URL passed the
   * SNS host check, so it moves the fetch, never what is trusted.
   */
  SNS_ENDPOINT: optionalUrl,
  AWS_REGION: optionalText,
});
export type Config = z.infer<typeof configSchema>;
export type ConfigName = keyof Config;

export const envNames = Object.fromEntries(
  Object.keys(configSchema.shape).map((name) => [name, name])
) as { [K in ConfigName]: K };

/** A bad or missing configuration value; the message names the variable. */
export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

let cached: { key: string; config: Config } | undefined;

/**
 * The parsed configuration. Parsed again only when the environment changed (tests and the local
 * runtime set variables after import); a bad value throws naming the variable.
 */
export function config(): Config {
  const raw = Object.fromEntries(
    Object.keys(configSchema.shape).map((name) => {
      const value = process.env[name];
      return [name, value === '' ? undefined : value];
    })
  );
  const key = JSON.stringify(raw);
  if (cached?.key === key) return cached.config;
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new ConfigurationError(`Invalid environment: ${problems}`);
  }
  cached = { key, config: result.data };
  return result.data;
}

/** A variable this function cannot run without; missing means a deployment bug. */
export function required<K extends ConfigName>(name: K): NonNullable<Config[K]> {
  const value = config()[name];
  if (value === undefined) throw new ConfigurationError(`Environment variable ${name} is not set`);
  return value as NonNullable<Config[K]>;
}
