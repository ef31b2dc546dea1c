import { describe, expect, it } from 'vitest';
import { apiRoutes } from '../../../lambdas/schemas/routes.js';
import { matchRoute, type Route } from '../../../local/api-gateway-event.js';

/** Every declared route, as the local gateway reads them from the template. */
const routes: Route[] = apiRoutes.map((declared) => {
  const [method, resource] = declared.split(' ') as [string, string];
  return { method, resource, segments: resource.split('/').filter(Boolean), functionId: 'Api' };
});

const workflowId = '019ab1f0-0000-7000-8000-000000000003';
const executionId = '019ab1f0-0000-7000-8000-000000000001';

describe('matchRoute', () => {
  it('prefers a literal segment to a path parameter, as API Gateway does', () => {
    const matched = matchRoute(routes, 'POST', `/api/v1/workflow/${workflowId}/execution/preview`);
    expect(matched?.route.resource).toBe('/api/v1/workflow/{id}/execution/preview');
    expect(matched?.params).toEqual({ id: workflowId });
  });

  it('still answers an execution id at the same place with the execution routes', () => {
    const path = `/api/v1/workflow/${workflowId}/execution/${executionId}`;
    expect(matchRoute(routes, 'GET', path)?.route.resource).toBe(
      '/api/v1/workflow/{id}/execution/{executionId}'
    );
    expect(matchRoute(routes, 'PUT', path)?.params).toEqual({ id: workflowId, executionId });
  });
});
