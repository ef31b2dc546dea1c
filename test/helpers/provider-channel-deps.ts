import type { ChannelContext } from '../../lambdas/adapters/channels/channel.js';
import type { ProviderAgent, ProviderDeps } from '../../lambdas/adapters/channels/provider-http.js';
import { providerRetryPolicy } from '../../lambdas/use-cases/channel-choice.js';

/**
 * Channel deps for unit tests: a fixed agent, the provider ids kept in memory (a "crash" is
 * forgetting one), and a clock that records the backoff instead of sleeping through it.
 */
export interface TestDeps extends ProviderDeps {
  providerIds: Map<string, string>;
  sleeps: number[];
}

export function testDeps(agent: ProviderAgent): TestDeps {
  const providerIds = new Map<string, string>();
  const sleeps: number[] = [];
  return {
    providerIds,
    sleeps,
    async loadAgent() {
      return agent;
    },
    async recordProviderId(context: ChannelContext, providerId: string) {
      providerIds.set(context.attempt.id, providerId);
    },
    async sleep(ms: number) {
      sleeps.push(ms);
    },
    retryPolicy: providerRetryPolicy(() => 0.5),
  };
}
