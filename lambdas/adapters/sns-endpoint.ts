import { config } from '../shared/config.js';

/**
 * What the SNS HTTPS subscription needs from SNS itself: the certificate a message names (to
 * check its signature) and the SubscribeURL a confirmation names. Both URLs are checked by the
 * caller before they reach here; SNS_ENDPOINT (local runtime only) moves the fetch to loopback.
 */

const REQUEST_TIMEOUT_MS = 10_000;
/** SNS rotates its signing certificate rarely; a container keeps what it fetched. */
const certificates = new Map<string, Promise<string>>();

function fetchedUrl(url: string): string {
  const endpoint = config().SNS_ENDPOINT;
  if (!endpoint) return url;
  const parsed = new URL(url);
  return `${endpoint.replace(/\/$/, '')}${parsed.pathname}${parsed.search}`;
}

async function fetchCertificate(url: string): Promise<string> {
  const response = await fetch(fetchedUrl(url), {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const pem = await response.text();
  if (!response.ok || !pem.includes('-----BEGIN'))
    throw new Error(`SNS certificate fetch failed: HTTP ${response.status}`);
  return pem;
}

/** The PEM at an SNS certificate URL, fetched once per container (a failed fetch is not kept). */
export function snsCertificate(url: string): Promise<string> {
  const cached = certificates.get(url);
  if (cached) return cached;
  const fetching = fetchCertificate(url);
  certificates.set(url, fetching);
  fetching.catch(() => certificates.delete(url));
  return fetching;
}

/** Confirms a subscription by visiting its SubscribeURL, as SNS asks. */
export async function confirmSnsSubscription(subscribeUrl: string): Promise<void> {
  const response = await fetch(fetchedUrl(subscribeUrl), {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (!response.ok)
    throw new Error(`SNS subscription confirmation failed: HTTP ${response.status}`);
}
