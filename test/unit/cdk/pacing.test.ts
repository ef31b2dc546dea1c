import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPIRES_AT_ATTRIBUTE } from '../../../lambdas/adapters/request-counters.js';
import { buildApp } from '../../../lib/build-app.js';

function synth(context: Record<string, string> = {}) {
  const app = buildApp({
    context: { channel: 'simulator', ...context, 'aws:cdk:bundling-stacks': [] },
  });
  return { data: Template.fromStack(app.data), service: Template.fromStack(app.service) };
}

function functionNamed(template: Template, prefix: string) {
  const entry = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
    id.startsWith(prefix)
  );
  if (!entry) throw new Error(`No function ${prefix}`);
  return entry[1].Properties;
}

describe('pacing settings', () => {
  let defaults: ReturnType<typeof synth>;
  // Synthesizing takes seconds, more on a loaded machine.
  beforeAll(() => {
    defaults = synth();
  }, 60_000);

  it('reserves 50 concurrent Dispatch invocations and lets request counters expire', () => {
    const { data, service } = defaults;
    expect(functionNamed(service, 'DispatchStep').ReservedConcurrentExecutions).toBe(50);
    expect(functionNamed(service, 'Api').ReservedConcurrentExecutions).toBeUndefined();
    data.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: EXPIRES_AT_ATTRIBUTE, Enabled: true },
    });
  });

  it('keeps the whole stage above any one organization’s default limit', () => {
    const { service } = defaults;
    service.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }),
      ]),
    });
  });

  it('tells a client throttled by the gateway itself when to try again', () => {
    const { service } = defaults;
    for (const type of ['THROTTLED', 'QUOTA_EXCEEDED']) {
      service.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: '429',
        ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
      });
    }
  });

  it('passes the context’s limits, spread and concurrency to the functions', () => {
    const { service } = synth({
      orgRequestRate: '10',
      orgRequestBurst: '20',
      dispatchSpreadSeconds: '120',
      dispatchConcurrency: '0',
    });
    const api = functionNamed(service, 'Api');
    expect(api.Environment.Variables).toMatchObject({
      ORG_REQUEST_RATE: '10',
      ORG_REQUEST_BURST: '20',
      DISPATCH_SPREAD_SECONDS: '120',
    });
    const dispatch = functionNamed(service, 'DispatchStep');
    expect(dispatch.Environment.Variables).toMatchObject({ DISPATCH_SPREAD_SECONDS: '120' });
    expect(dispatch.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('stops the synth on a malformed or half-given setting, naming it', () => {
    expect(() => synth({ dispatchSpreadSeconds: 'soon' })).toThrow(/dispatchSpreadSeconds/);
    expect(() => synth({ orgRequestRate: '10' })).toThrow(/orgRequestBurst/);
  });
});
