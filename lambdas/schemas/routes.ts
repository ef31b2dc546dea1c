/**
 * Every route of the REST API, as API Gateway resource templates, in groups that each have one
 * handler module. The API construct declares exactly `apiRoutes`, and each group's handlers are
 * typed against its list: a route declared without a handler, or a handler for an undeclared
 * route, does not compile.
 */
export const workflowRoutes = [
  'GET /api/v1/organization',
  'PATCH /api/v1/organization',
  'POST /api/v1/workflow',
  'GET /api/v1/workflow',
  'GET /api/v1/workflow/{id}',
  'PATCH /api/v1/workflow/{id}',
  'DELETE /api/v1/workflow/{id}',
] as const;

export const executionRoutes = [
  'POST /api/v1/workflow/{id}/execution',
  'POST /api/v1/workflow/{id}/execution/bulk',
  'GET /api/v1/workflow/{id}/executions',
  'GET /api/v1/workflow/{id}/execution/{executionId}',
  'GET /api/v1/workflow/{id}/execution/{executionId}/events',
  'POST /api/v1/step-executions/{stepExecutionId}/outcome',
] as const;

export const controlRoutes = [
  'PUT /api/v1/workflow/{id}/execution/{executionId}',
  'DELETE /api/v1/workflow/{id}/execution/{executionId}',
  'POST /api/v1/workflow/{id}/execution/{executionId}/pause',
  'POST /api/v1/workflow/{id}/execution/{executionId}/resume',
  'POST /api/v1/workflow/{id}/execution/{executionId}/cancel',
  // Feather's n8n client cancels on the plural path.
  'POST /api/v1/workflow/{id}/executions/{executionId}/cancel',
  'POST /api/v1/workflow/{id}/executions/cancel',
  'POST /api/v1/executions/cancel',
] as const;

/**
 * A literal segment: API Gateway prefers `preview` to `{executionId}` at the same place, and so
 * does the local gateway (the most literal match wins).
 */
export const previewRoutes = ['POST /api/v1/workflow/{id}/execution/preview'] as const;
export const complianceRoutes = [
  'GET /api/v1/suppressions',
  'POST /api/v1/suppressions',
  'DELETE /api/v1/suppressions/{phoneNumber}',
  'PUT /api/v1/organization/emergency-stops/{state}',
  'DELETE /api/v1/organization/emergency-stops/{state}',
] as const;

/** Subscriptions of the organization's endpoints to lifecycle events. */
export const webhookRoutes = [
  'POST /api/v1/webhooks',
  'GET /api/v1/webhooks',
  'GET /api/v1/webhooks/{webhookId}',
  'DELETE /api/v1/webhooks/{webhookId}',
] as const;

/** Agents: what a step's `agentId` names. */
export const agentRoutes = [
  'POST /api/v1/agents',
  'GET /api/v1/agents',
  'GET /api/v1/agents/{agentId}',
  'PATCH /api/v1/agents/{agentId}',
  'DELETE /api/v1/agents/{agentId}',
] as const;

/**
 * Provider webhooks: no API key (the providers have none of ours); each request is verified by
 * its provider's signature with the agent's own secret instead. Served by their own function.
 */
export const providerRoutes = [
  'POST /api/v1/providers/retell/{organizationId}/{agentId}/webhook',
  'POST /api/v1/providers/twilio/{organizationId}/{agentId}/status',
  'POST /api/v1/providers/twilio/{organizationId}/{agentId}/inbound',
  'POST /api/v1/providers/vapi/{organizationId}/{agentId}/webhook',
  'POST /api/v1/providers/aws-sms/{organizationId}/{agentId}/events',
] as const;
export type ProviderRoute = (typeof providerRoutes)[number];

export const apiRoutes = [
  ...workflowRoutes,
  ...executionRoutes,
  ...controlRoutes,
  ...previewRoutes,
  ...complianceRoutes,
  ...webhookRoutes,
  ...agentRoutes,
] as const;
export type ApiRoute = (typeof apiRoutes)[number];
export type WorkflowRoute = (typeof workflowRoutes)[number];
export type ExecutionRoute = (typeof executionRoutes)[number];
export type ControlRoute = (typeof controlRoutes)[number];
export type PreviewRoute = (typeof previewRoutes)[number];
export type ComplianceRoute = (typeof complianceRoutes)[number];
export type WebhookRoute = (typeof webhookRoutes)[number];
export type AgentRoute = (typeof agentRoutes)[number];
