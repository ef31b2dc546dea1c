import { type ChannelName, config } from '../../shared/config.js';
import { createAwsSmsChannel } from './aws-sms.js';
import type { Channel } from './channel.js';
import { manualChannel } from './manual.js';
import { providerDeps, type RetryPolicy } from './provider-http.js';
import { createRetellChannel } from './retell.js';
import { simulatorChannel } from './simulator.js';
import { createTwilioChannel } from './twilio.js';
import { createTwilioVoiceChannel } from './twilio-voice.js';
import { createVapiChannel } from './vapi.js';
import { webhookChannel } from './webhook.js';

/** Channels a registered agent selects per step, beside the deployment-wide ones. */
export type AgentChannelName = 'retell' | 'vapi' | 'twilio' | 'twilio-voice' | 'aws-sms';

const deploymentChannels: Record<ChannelName, Channel> = {
  simulator: simulatorChannel,
  manual: manualChannel,
  webhook: webhookChannel,
};

/** The channel new attempts use (OUTREACH_CHANNEL, validated with the rest of the config). */
export function activeChannel(): Channel {
  return deploymentChannels[config().OUTREACH_CHANNEL];
}

/**
 * Every channel by name, the provider ones with the caller's error policy (it is domain
 * logic, which adapters do not import).
 */
export function channelRegistry(retryPolicy: RetryPolicy): (name: string) => Channel {
  const deps = providerDeps(retryPolicy);
  const channels: Record<ChannelName | AgentChannelName, Channel> = {
    ...deploymentChannels,
    retell: createRetellChannel(deps),
    vapi: createVapiChannel(deps),
    twilio: createTwilioChannel(deps),
    'twilio-voice': createTwilioVoiceChannel(deps),
    'aws-sms': createAwsSmsChannel(deps),
  };
  return (name) => {
    const channel = channels[name as ChannelName];
    if (!channel) throw new Error(`Attempt names an unknown channel "${name}"`);
    return channel;
  };
}
