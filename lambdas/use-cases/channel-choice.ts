import { activeChannel } from '../adapters/channels/index.js';
import type { AgentProvider } from '../schemas/agent-providers.js';
import type { Execution } from '../schemas/execution.js';
import type { StepType } from '../schemas/workflow.js';
import { findAgent } from './agents.js';

/**
 * The channel an agent's provider places a step type through. Providers without a channel yet
 * (Vapi, AWS SMS, a per-agent webhook, Twilio calls) keep the deployment's default channel.
 */
const AGENT_CHANNELS: Partial<Record<AgentProvider, Partial<Record<StepType, string>>>> = {
  retell: { CALL: 'retell' },
  twilio: { TEXT: 'twilio' },
  simulator: { CALL: 'simulator', TEXT: 'simulator' },
  manual: { CALL: 'manual', TEXT: 'manual' },
};

/**
 * Where a new attempt of step `stepIndex` goes: the channel of the agent its `agentId` names in
 * the run's organization, else the deployment's default (so Feather's examples, whose agent
 * ids nobody registered, keep working unchanged).
 */
export async function channelForStep(execution: Execution, stepIndex: number): Promise<string> {
  const step = execution.definition.steps[stepIndex];
  const agent = step?.agentId ? await findAgent(execution.organizationId, step.agentId) : undefined;
  const chosen = agent && step ? AGENT_CHANNELS[agent.provider]?.[step.type] : undefined;
  return chosen ?? activeChannel().name;
}
