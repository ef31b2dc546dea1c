import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestAuthorizer,
  type Resource,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiRoutes, providerRoutes } from '../../lambdas/schemas/routes.js';

export interface OutreachApiProps {
  apiFunction: IFunction;
  authorizerFunction: IFunction;
  /** Serves the provider webhook routes, which carry no API key (see `providerRoutes`). */
  providerWebhookFunction: IFunction;
  /**
   * Steady-state requests per second for the whole stage, all organizations together: a
   * ceiling for the account. Each organization is held to its own, lower limit in the api
   * function (ORG_REQUEST_RATE). @default 200
   */
  rateLimit?: number;
  /** @default one month */
  accessLogRetention?: RetentionDays;
}

/**
 * One JSON line per request. The organization comes from the authorizer's context (empty when
 * the key was refused); the API key itself is never logged.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    organizationId: AccessLogField.contextAuthorizer('organizationId'),
    ip: AccessLogField.contextIdentitySourceIp(),
    method: AccessLogField.contextHttpMethod(),
    path: AccessLogField.contextPath(),
    resource: AccessLogField.contextResourcePath(),
    status: AccessLogField.contextStatus(),
    latencyMs: AccessLogField.contextResponseLatency(),
    integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
    responseLength: AccessLogField.contextResponseLength(),
    requestTime: AccessLogField.contextRequestTime(),
    error: AccessLogField.contextErrorMessage(),
  })
);

function envelope(status: number, code: string, message: string): Record<string, string> {
  return {
    'application/json': `{"status":${status},"code":"${code}","message":${message},"success":false}`,
  };
}

/**
 * REST API with explicit resources for every route, a REQUEST authorizer on X-API-Key, and
 * gateway responses that put API Gateway's own errors in the product's envelope too.
 */
export class OutreachApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: OutreachApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_MONTH,
    });
    this.api = new RestApi(this, 'Api', {
      description: 'Outreach Workflows API (Feather Workflows compatible)',
      endpointTypes: [EndpointType.REGIONAL],
      // API Gateway writes access logs through one role per account and region (its account
      // settings). Created here, and retained on delete: other APIs of the account use it too.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat,
        stageName: 'prod',
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit ?? 200,
        throttlingBurstLimit: (props.rateLimit ?? 200) * 2,
        loggingLevel: MethodLoggingLevel.OFF,
      },
    });

    const authorizer = new RequestAuthorizer(this, 'ApiKeyAuthorizer', {
      handler: props.authorizerFunction,
      identitySources: [IdentitySource.header('X-API-Key')],
      // Keyed on the API key header: one DynamoDB read per key per 5 minutes.
      resultsCacheTtl: Duration.minutes(5),
    });

    const integration = new LambdaIntegration(props.apiFunction, { proxy: true });
    const resources = new Map<string, Resource>();
    const resourceFor = (path: string): Resource => {
      const existing = resources.get(path);
      if (existing) return existing;
      const parentPath = path.slice(0, path.lastIndexOf('/'));
      const parent = parentPath === '' ? this.api.root : resourceFor(parentPath);
      const resource = parent.addResource(path.slice(path.lastIndexOf('/') + 1));
      resources.set(path, resource as Resource);
      return resource as Resource;
    };
    for (const route of apiRoutes) {
      const [method, path] = route.split(' ') as [string, string];
      resourceFor(path).addMethod(method, integration, { authorizer });
    }
    // Providers cannot send our API key: their function refuses any request whose signature
    // does not verify with the agent's own secret, before it reads anything else.
    const providerIntegration = new LambdaIntegration(props.providerWebhookFunction, {
      proxy: true,
    });
    for (const route of providerRoutes) {
      const [method, path] = route.split(' ') as [string, string];
      const providerMethod = resourceFor(path).addMethod(method, providerIntegration);
      Validations.of(providerMethod).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Providers cannot send an API key: the function verifies the provider's signature (Retell HMAC, X-Twilio-Signature) with the agent's secret and answers 401 otherwise",
      });
    }

    const responses: Array<[ResponseType, number, string, string]> = [
      [ResponseType.UNAUTHORIZED, 401, 'UNAUTHORIZED', '"Missing or invalid API key"'],
      [ResponseType.ACCESS_DENIED, 403, 'FORBIDDEN', '"This API key may not call this route"'],
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, 404, 'NOT_FOUND', '"No such route"'],
      [ResponseType.RESOURCE_NOT_FOUND, 404, 'NOT_FOUND', '"No such route"'],
      [ResponseType.REQUEST_TOO_LARGE, 413, 'PAYLOAD_TOO_LARGE', '"Request body is too large"'],
      [ResponseType.THROTTLED, 429, 'RATE_LIMITED', '"Too many requests"'],
      [ResponseType.QUOTA_EXCEEDED, 429, 'RATE_LIMITED', '"Quota exceeded"'],
      [ResponseType.DEFAULT_4XX, 400, 'BAD_REQUEST', '$context.error.messageString'],
      [ResponseType.DEFAULT_5XX, 500, 'INTERNAL_ERROR', '"Internal error"'],
    ];
    for (const [type, status, code, message] of responses) {
      this.api.addGatewayResponse(`${code}-${type.responseType}`, {
        type,
        statusCode: String(status),
        templates: envelope(status, code, message),
        // The stage's token bucket refills every second: a client may try again after one, as
        // it would after the organization limit's own 429.
        ...(status === 429 && { responseHeaders: { 'Retry-After': "'1'" } }),
      });
    }
  }
}
