import { z } from 'zod';
import { isoDateTimeSchema } from './common.js';
import { lifecycleEventTypeSchema, lifecycleEventTypes } from './lifecycle-events.js';

/** Subscriptions an organization may hold: each costs a secret and a POST per event. */
export const MAX_WEBHOOK_SUBSCRIPTIONS = 10;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A host no public endpoint has: loopback, private, link-local (the instance metadata service
 * lives there) and unique-local ranges, as literals. Names are not resolved here.
 */
function isInternalHost(hostname: string): boolean {
  if (LOOPBACK_HOSTS.has(hostname) || hostname.endsWith('.localhost')) return true;
  const octets = hostname.split('.').map(Number);
  if (octets.length === 4 && octets.every((octet) => Number.isInteger(octet))) {
    const [a, b] = octets as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  return hostname.startsWith('[');
}

/**
 * The endpoint URL: HTTPS to a public host. Only the local runtime (an explicit setting, never
 * set on AWS) also accepts plain HTTP to 127.0.0.1, so its tests can run a receiver in-process.
 */
export function webhookUrlSchema(allowLoopbackHttp: boolean) {
  return z
    .url({ error: 'must be a URL' })
    .max(2048)
    .refine(
      (value) => {
        const url = new URL(value);
        if (allowLoopbackHttp && url.protocol === 'http:' && url.hostname === '127.0.0.1')
          return true;
        return url.protocol === 'https:' && !isInternalHost(url.hostname);
      },
      { error: 'must be an https URL of a public host' }
    );
}

export function createWebhookSchema(allowLoopbackHttp: boolean) {
  return z.strictObject({
    url: webhookUrlSchema(allowLoopbackHttp),
    /** Absent: every type there is. */
    eventTypes: z
      .array(lifecycleEventTypeSchema)
      .min(1)
      .transform((types) => [...new Set(types)])
      .default([...lifecycleEventTypes]),
    description: z.string().max(500).optional(),
  });
}
export type CreateWebhook = z.infer<ReturnType<typeof createWebhookSchema>>;

/** A subscription as stored and answered (its secret lives in Secrets Manager, never here). */
export const webhookSubscriptionSchema = z.object({
  id: z.string().min(1),
  organizationId: z.string().min(1),
  url: z.string(),
  eventTypes: z.array(lifecycleEventTypeSchema),
  description: z.string().optional(),
  /** The Secrets Manager secret that holds the signing secret. Never answered. */
  secretId: z.string().min(1),
  createdAt: isoDateTimeSchema,
});
export type WebhookSubscription = z.infer<typeof webhookSubscriptionSchema>;

/** A subscription as the API answers it: everything but where its secret is kept. */
export function webhookView(subscription: WebhookSubscription) {
  const { secretId: _secretId, organizationId: _organizationId, ...view } = subscription;
  return view;
}
