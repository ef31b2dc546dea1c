import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  addSuppressionsSchema,
  listSuppressionsQuerySchema,
  phonePathSchema,
  statePathSchema,
} from '../schemas/compliance.js';
import type { ComplianceRoute } from '../schemas/routes.js';
import { blockState, liftState } from '../use-cases/emergency-stops.js';
import {
  listOrganizationSuppressions,
  removeSuppression,
  suppressNumbers,
} from '../use-cases/suppressions.js';
import { json, parseBody, parseQuery, parseWith, pathParameter } from './http.js';
import { idempotent } from './idempotent.js';
import type { Route } from './route.js';

function stateOf(event: APIGatewayProxyEvent): string {
  return parseWith(statePathSchema, pathParameter(event, 'state'), 'path parameter state');
}

/** The do-not-contact list, and emergency stops per state. */
export const complianceHandlers: Record<ComplianceRoute, Route> = {
  'GET /api/v1/suppressions': async (event, org) => {
    const query = parseQuery(event, listSuppressionsQuerySchema);
    const page = await listOrganizationSuppressions(org, query);
    return json(200, {
      suppressions: page.items,
      pagination: { limit: query.limit, nextCursor: page.nextCursor },
    });
  },

  'POST /api/v1/suppressions': idempotent(0, async (event, org) => {
    const body = parseBody(event, addSuppressionsSchema);
    const results = await suppressNumbers(org, body.phoneNumbers, body.reason, new Date());
    return json(200, {
      addedCount: results.filter((result) => result.added).length,
      cancelledCount: results.reduce((sum, result) => sum + result.cancelledCount, 0),
      results,
    });
  }),

  'DELETE /api/v1/suppressions/{phoneNumber}': async (event, org) => {
    const phoneNumber = parseWith(
      phonePathSchema,
      pathParameter(event, 'phoneNumber'),
      'path parameter phoneNumber'
    );
    await removeSuppression(org, phoneNumber);
    return json(200, { message: `${phoneNumber} removed from the do-not-contact list` });
  },

  'PUT /api/v1/organization/emergency-stops/{state}': async (event, org) =>
    json(200, { emergencyStops: await blockState(org, stateOf(event), new Date()) }),

  'DELETE /api/v1/organization/emergency-stops/{state}': async (event, org) =>
    json(200, { emergencyStops: await liftState(org, stateOf(event)) }),
};
