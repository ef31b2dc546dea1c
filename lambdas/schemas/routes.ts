/**
 * Every route of the REST API, as API Gateway resource templates. The API construct declares
 * exactly these, and the api handler's route table is typed against them: a route declared
 * without a handler, or a handler for an undeclared route, does not compile.
 */
export const apiRoutes = [
  'POST /api/v1/workflow',
  'GET /api/v1/workflow',
  'GET /api/v1/workflow/{id}',
  'PATCH /api/v1/workflow/{id}',
  'DELETE /api/v1/workflow/{id}',
  'POST /api/v1/workflow/{id}/execution',
  'GET /api/v1/workflow/{id}/executions',
  'GET /api/v1/workflow/{id}/execution/{executionId}',
  'POST /api/v1/step-executions/{stepExecutionId}/outcome',
] as const;
export type ApiRoute = (typeof apiRoutes)[number];
