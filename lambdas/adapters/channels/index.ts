import { getOptionalEnv } from '../../shared/env.js';
import type { Channel } from './channel.js';
import { manualChannel } from './manual.js';
import { simulatorChannel } from './simulator.js';
import { webhookChannel } from './webhook.js';

const channels: Record<string, Channel> = {
  simulator: simulatorChannel,
  manual: manualChannel,
  webhook: webhookChannel,
};

/** The channel new attempts use: OUTREACH_CHANNEL, simulator by default. */
export function activeChannel(): Channel {
  return channelNamed(getOptionalEnv('OUTREACH_CHANNEL') ?? 'simulator');
}

/** The channel an existing attempt was handed to. */
export function channelNamed(name: string): Channel {
  const channel = channels[name];
  if (!channel)
    throw new Error(`Unknown OUTREACH_CHANNEL "${name}" (simulator, manual or webhook)`);
  return channel;
}
