import { type ChannelName, config } from '../../shared/config.js';
import type { Channel } from './channel.js';
import { manualChannel } from './manual.js';
import { simulatorChannel } from './simulator.js';
import { webhookChannel } from './webhook.js';

const channels: Record<ChannelName, Channel> = {
  simulator: simulatorChannel,
  manual: manualChannel,
  webhook: webhookChannel,
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
