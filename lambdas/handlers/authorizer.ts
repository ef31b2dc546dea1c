import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { addLogContext } from '../shared/logger.js';
import { organizationOfApiKey } from '../use-cases/authenticate.js';
import { observability } from './observability.js';

/** Everything under this stage, so a cached answer for one key serves every route. */
function stageWildcard(methodArn: string): string {
  const [arn = '', stage = '*'] = methodArn.split('/');
  return `${arn}/${stage}/*`;
}

/**
 * REQUEST authorizer on X-API-Key. An unknown key throws 'Unauthorized', which API Gateway
 * answers with 401 (its UNAUTHORIZED gateway response, in our envelope); a known key passes the
 * organization id on to the api function as `requestContext.authorizer.organizationId`.
 */
async function authorize(
  event: APIGatewayRequestAuthorizerEvent
): Promise<APIGatewayAuthorizerResult> {
  const apiKey = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'x-api-key'
  )?.[1];
  const organizationId = apiKey ? await organizationOfApiKey(apiKey) : undefined;
  if (!organizationId) throw new Error('Unauthorized');
  addLogContext({ organizationId });
  return {
    principalId: organizationId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) },
      ],
    },
    context: { organizationId },
  };
}

export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(observability())
  .handler(authorize);
