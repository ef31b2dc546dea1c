/** How long a subscriber's endpoint may take to answer (the spec advises receivers answer fast). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** A subscriber's endpoint refused or did not answer in time; SQS tries again later. */
export class WebhookEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookEndpointError';
  }
}

/**
 * POSTs one signed message. Only a 2xx counts: a redirect is not followed (an endpoint must not
 * steer our requests elsewhere) and counts as a failure, like any other answer or a timeout.
 */
export async function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (error) {
    throw new WebhookEndpointError(`no answer from the endpoint: ${(error as Error).message}`);
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299) {
    throw new WebhookEndpointError(`the endpoint answered ${response.status}`);
  }
}
