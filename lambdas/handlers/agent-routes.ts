import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  type Agent,
  agentIdSchema,
  createAgentSchema,
  listAgentsQuerySchema,
  updateAgentSchema,
} from '../schemas/agent.js';
import type { AgentRoute } from '../schemas/routes.js';
import {
  createAgent,
  deleteAgent,
  listOrganizationAgents,
  mustFindAgent,
  updateAgent,
} from '../use-cases/agents.js';
import { json, parseBody, parseQuery, parseWith, pathParameter } from './http.js';
import type { Route } from './route.js';

function agentIdOf(event: APIGatewayProxyEvent): string {
  return parseWith(agentIdSchema, pathParameter(event, 'agentId'), 'path parameter agentId');
}

/** An agent as the API shows it: which credentials are set, never their values. */
function presentAgent(agent: Agent) {
  const { version: _version, credentialKeys, maxConcurrentCalls, ...shown } = agent;
  return {
    ...shown,
    maxConcurrentCalls: maxConcurrentCalls ?? null,
    credentialsSet: credentialKeys.length > 0,
    credentialKeys,
  };
}

/** Agents: what a step's agentId names (provider, settings, write-only credentials). */
export const agentHandlers: Record<AgentRoute, Route> = {
  'POST /api/v1/agents': async (event, org) => {
    const agent = await createAgent(org, parseBody(event, createAgentSchema), new Date());
    return json(201, presentAgent(agent));
  },

  'GET /api/v1/agents': async (event, org) => {
    const query = parseQuery(event, listAgentsQuerySchema);
    const page = await listOrganizationAgents(org, query);
    return json(200, {
      agents: page.items.map(presentAgent),
      pagination: { limit: query.limit, nextCursor: page.nextCursor },
    });
  },

  'GET /api/v1/agents/{agentId}': async (event, org) =>
    json(200, presentAgent(await mustFindAgent(org, agentIdOf(event)))),

  'PATCH /api/v1/agents/{agentId}': async (event, org) => {
    const patch = parseBody(event, updateAgentSchema);
    return json(200, presentAgent(await updateAgent(org, agentIdOf(event), patch, new Date())));
  },

  'DELETE /api/v1/agents/{agentId}': async (event, org) => {
    const id = agentIdOf(event);
    await deleteAgent(org, id);
    return json(200, { message: `Agent ${id} deleted` });
  },
};
