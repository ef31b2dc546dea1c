import { z } from 'zod';
import type { StepType } from './workflow.js';

/**
 * What each provider an agent runs on needs: its settings (stored and shown), its credentials
 * (write-only: kept in Secrets Manager, never stored in the table or returned), and the step
 * types it can carry. Field names follow the providers' own APIs:
 * Retell https://docs.retellai.com/api-references/create-phone-call,
 * Vapi https://docs.vapi.ai/calls/outbound-calling,
 * Twilio https://www.twilio.com/docs/voice/api/call-resource and /docs/messaging/api/message-resource,
 * AWS End User Messaging SMS https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html
 */
export const agentProviders = [
  'retell',
  'vapi',
  'twilio',
  'aws-sms',
  'webhook',
  'simulator',
  'manual',
] as const;
export type AgentProvider = (typeof agentProviders)[number];

/** The step types each provider can carry: Retell and Vapi place calls, AWS SMS sends texts. */
export const providerStepTypes: Record<AgentProvider, readonly StepType[]> = {
  retell: ['CALL'],
  vapi: ['CALL'],
  twilio: ['CALL', 'TEXT'],
  'aws-sms': ['TEXT'],
  webhook: ['CALL', 'TEXT'],
  simulator: ['CALL', 'TEXT'],
  manual: ['CALL', 'TEXT'],
};

const senderNumber = z
  .string()
  .regex(/^\+[1-9]\d{1,14}$/, { error: 'must be an E.164 phone number such as +14155550123' });
/** An id the provider issued (agent, assistant, phone number): opaque to us. */
const providerId = z.string().trim().min(1).max(256);
const credential = z.string().min(1).max(4096);
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' }).max(2048);

export const retellSettingsSchema = z.strictObject({
  /** Sent as `override_agent_id`: without it Retell uses the agent bound to the number. */
  agentId: providerId,
  /** A number bought from or imported into Retell. */
  fromNumber: senderNumber,
});

export const vapiSettingsSchema = z.strictObject({
  assistantId: providerId,
  phoneNumberId: providerId,
});

export const twilioSettingsSchema = z
  .strictObject({
    fromNumber: senderNumber.optional(),
    /** Messages only: the Messaging Service picks a sender from its pool. */
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/, { error: 'must be a Messaging Service SID (MG + 32 hex)' })
      .optional(),
    /**
     * Calls only: the https URL Twilio fetches the call's TwiML from, i.e. the voice agent
     * (a ConversationRelay or Media Streams app). Twilio itself has no agent.
     */
    voiceUrl: httpsUrl.optional(),
    /** Calls only: what is said when answering-machine detection hears a machine. */
    voicemailMessage: z.string().trim().min(1).max(1000).optional(),
    /**
     * Calls only: Twilio's MachineDetection (DetectMessageEnd waits for the beep). Unset, a step
     * that leaves a voicemail uses DetectMessageEnd and any other step Enable.
     */
    answeringMachineDetection: z.enum(['Enable', 'DetectMessageEnd']).optional(),
  })
  .refine(
    (settings) =>
      (settings.fromNumber !== undefined) !== (settings.messagingServiceSid !== undefined),
    {
      error: 'send fromNumber or messagingServiceSid (exactly one)',
      path: ['fromNumber'],
    }
  );

/** AWS's own patterns for these members (service model pinpoint-sms-voice-v2). */
export const awsSmsSettingsSchema = z.strictObject({
  /** A phone number, a pool or a sender id, by id or ARN. A pool is AWS's recommendation. */
  originationIdentity: z
    .string()
    .regex(/^[A-Za-z0-9_:/+-]{1,256}$/, { error: 'must be a phone number, pool or sender id' }),
  configurationSetName: z
    .string()
    .regex(/^[A-Za-z0-9_:/-]{1,256}$/, { error: 'must be a configuration set name or ARN' })
    .optional(),
  /**
   * The SNS topic the configuration set's event destination (and the number's two-way channel)
   * publishes to. Only messages from this topic are accepted: any AWS account can sign with SNS.
   */
  eventTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
      error: 'must be an SNS topic ARN',
    })
    .optional(),
});

export const webhookSettingsSchema = z.strictObject({
  url: httpsUrl,
});

const noSettingsSchema = z.strictObject({}).default({});

export const providerSettingsSchemas = {
  retell: retellSettingsSchema,
  vapi: vapiSettingsSchema,
  twilio: twilioSettingsSchema,
  'aws-sms': awsSmsSettingsSchema,
  webhook: webhookSettingsSchema,
  simulator: noSettingsSchema,
  manual: noSettingsSchema,
} as const;

/** The provider's own check of a step type, with the path of the setting that refuses it. */
export function providerTypeIssue(
  provider: AgentProvider,
  type: StepType,
  settings: Record<string, unknown>
): { path: string[]; message: string } | undefined {
  const types = providerStepTypes[provider];
  if (!types.includes(type)) {
    return { path: ['type'], message: `${provider} agents carry ${types.join(' or ')} only` };
  }
  if (provider !== 'twilio') return undefined;
  if (type === 'CALL' && settings.fromNumber === undefined) {
    return { path: ['settings', 'fromNumber'], message: 'a Twilio CALL agent needs fromNumber' };
  }
  if (type === 'CALL' && settings.voiceUrl === undefined) {
    return { path: ['settings', 'voiceUrl'], message: 'a Twilio CALL agent needs voiceUrl' };
  }
  const callOnly = ['voiceUrl', 'voicemailMessage', 'answeringMachineDetection'];
  const misplaced = callOnly.find((field) => type === 'TEXT' && settings[field] !== undefined);
  return misplaced ? { path: ['settings', misplaced], message: 'applies to CALL only' } : undefined;
}

/** Providers whose agents cannot work without credentials of their own. */
const credentialsRequired: ReadonlySet<AgentProvider> = new Set(['retell', 'vapi', 'twilio']);

/** Whether `provider`'s agents have credentials of their own (AWS SMS signs with the function's role). */
export function providerNeedsCredentials(provider: AgentProvider): boolean {
  return credentialsRequired.has(provider);
}

export const providerCredentialsSchemas = {
  retell: z.strictObject({
    apiKey: credential,
    /** Retell signs webhooks with the one API key marked as webhook key, when it is another. */
    webhookSigningKey: credential.optional(),
  }),
  vapi: z.strictObject({
    apiKey: credential,
    /** The secret Vapi attaches to (or signs) the server messages it sends us. */
    serverSecret: credential.optional(),
  }),
  twilio: z.strictObject({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { error: 'must be AC + 32 hex' }),
    /** Also the key of X-Twilio-Signature on Twilio's callbacks. */
    authToken: credential,
  }),
  webhook: z.strictObject({
    /** The agent's own HMAC key; without it the deployment's signing secret signs. */
    signingSecret: credential,
  }),
} as const;

/**
 * Validates `credentials` for `provider`, adding issues with paths under `credentials`;
 * `valid` false when it added one. `required`: a provider that needs credentials gets an issue
 * when none are sent.
 */
export function parseCredentials(
  provider: AgentProvider,
  credentials: unknown,
  ctx: z.RefinementCtx,
  options: { required: boolean }
): { valid: boolean; credentials?: Record<string, string> } {
  const schema = (providerCredentialsSchemas as Partial<Record<AgentProvider, z.ZodType>>)[
    provider
  ];
  if (credentials === undefined) {
    if (!options.required || !credentialsRequired.has(provider)) return { valid: true };
    ctx.addIssue({ code: 'custom', path: ['credentials'], message: `required for ${provider}` });
    return { valid: false };
  }
  if (!schema) {
    const message = `${provider} agents take no credentials`;
    ctx.addIssue({ code: 'custom', path: ['credentials'], message });
    return { valid: false };
  }
  const result = schema.safeParse(credentials);
  if (result.success) return { valid: true, credentials: result.data as Record<string, string> };
  for (const issue of result.error.issues) {
    ctx.addIssue({ ...issue, path: ['credentials', ...issue.path] } as z.core.$ZodRawIssue);
  }
  return { valid: false };
}
