import { type ChannelName, channelNames } from '../lambdas/shared/config.js';

/** What a deployment does with step attempts, read from `cdk -c` context and checked at synth. */
export type ChannelSettings =
  | { channel: Exclude<ChannelName, 'webhook'> }
  | { channel: 'webhook'; agentWebhookUrl: string };

/** A deployment that does not say, or says wrongly, where step attempts go. */
export class ChannelContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelContextError';
  }
}

const CHOICES = channelNames.join('|');

const CHANNEL_HELP = [
  `Name the channel that places this deployment's calls and texts: -c channel=${CHOICES}`,
  '  webhook    POSTs every step, signed, to your agent (also needs -c agentWebhookUrl=https://…)',
  '  manual     places nothing; outcomes are reported through the API',
  '  simulator  places nothing; invents plausible outcomes (for trying the product out)',
].join('\n');

// The local runtime's agents listen on loopback, which no deployed function can reach anyway.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function agentUrl(value: string | undefined): string {
  if (value === undefined) {
    throw new ChannelContextError(
      '-c channel=webhook needs the agent endpoint: -c agentWebhookUrl=https://…'
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ChannelContextError(`agentWebhookUrl must be an https URL, got "${value}"`);
  }
  const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !loopback) {
    throw new ChannelContextError(`agentWebhookUrl must be an https URL, got "${value}"`);
  }
  return value;
}

/**
 * The channel the deployment names. There is no default: a deploy that silently ran the
 * simulator would "complete" runs with invented outcomes.
 */
export function channelSettings(
  context: (key: 'channel' | 'agentWebhookUrl') => string | undefined
): ChannelSettings {
  const channel = context('channel');
  if (channel === undefined) throw new ChannelContextError(CHANNEL_HELP);
  if (channel === 'webhook') {
    return { channel, agentWebhookUrl: agentUrl(context('agentWebhookUrl')) };
  }
  if (channel === 'manual' || channel === 'simulator') return { channel };
  throw new ChannelContextError(`Unknown channel "${channel}".\n${CHANNEL_HELP}`);
}
