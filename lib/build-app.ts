import { App, type AppProps } from 'aws-cdk-lib';
import { DataStack } from './data-stack.js';
import { OutreachStack } from './outreach-stack.js';
import { type PacingContext, pacingProps } from './pacing.js';

/** Context keys `cdk deploy -c key=value` (or the local runtime) may set. */
export interface OutreachContext extends PacingContext {
  channel?: string;
  agentWebhookUrl?: string;
  publicApiUrl?: string;
}

export interface OutreachApp {
  app: App;
  data: DataStack;
  service: OutreachStack;
}

/** The whole app; bin/app.ts deploys it and local/ runs the same template in-process. */
export function buildApp(props: AppProps = {}): OutreachApp {
  const app = new App(props);
  const context = (key: keyof OutreachContext): string | undefined => {
    const value = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const data = new DataStack(app, 'OutreachData', { env });
  const service = new OutreachStack(app, 'OutreachService', {
    env,
    table: data.table,
    channel: context('channel'),
    agentWebhookUrl: context('agentWebhookUrl'),
    publicApiUrl: context('publicApiUrl'),
    ...pacingProps(context),
  });
  return { app, data, service };
}
