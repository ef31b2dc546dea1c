import { type ChannelName, config } from '../../shared/config.js';
import type { Channel } from './channel.js';
import { manualChannel } from './manual.js';
import { retellChannel } from './retell.js';
import { simulatorChannel } from './simulator.js';
import { twilioChannel } from './twilio.js';
import { webhookChannel } from './webhook.js';

/** Channels a registered agent selects per step, beside the deployment-wide ones. */
export type AgentChannelName = 'retell' | 'twilio';

const channels: Record<ChannelName | AgentChannelName, Channel> = {
  simulator: simulatorChannel,
  manual: manualChannel,
  webhook: webhookChannel,
  retell: retellChannel,
  twilio: twilioChannel,
};

/** The channel new attempts use (OUTREACH_CHANNEL, validated with the rest of the config). */
export function activeChannel(): Channel {
  return channels[config().OUTREACH_CHANNEL];
}

/** The channel an existing attempt was handed to. */
export function channelNamed(name: string): Channel {
  const channel = channels[name as ChannelName];
  if (!channel) throw new Error(`Attempt names an unknown channel "${name}"`);
  return channel;
}
