import { App, type AppProps, Aspects } from 'aws-cdk-lib';
import { channelSettings } from './channel-settings.js';
import { DataStack } from './data-stack.js';
import { DeploymentEnvironment } from './deployment-environment.js';
import { OutreachStack } from './outreach-stack.js';
import { type PacingContext, pacingProps } from './pacing.js';
import { RequireTls } from './require-tls.js';

/** Context keys `cdk deploy -c key=value` (or the local runtime) may set. */
export interface OutreachContext extends PacingContext {
  /** Names the environment (`-c env=prod`): it prefixes both stack names. */
  env?: string;
  /** webhook | manual | simulator; required (see channel-settings.ts). */
  channel?: string;
  /** The agent endpoint, for `channel=webhook`. */
  agentWebhookUrl?: string;
  /** Subscribed to the alarm topic. */
  alarmEmail?: string;
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
  // First, before any construct: a deploy that names no channel stops here, with the choices.
  const channel = channelSettings(context);
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const environment = DeploymentEnvironment.named(context('env'));
  environment.tag(app);
  Aspects.of(app).add(new RequireTls());
  const data = new DataStack(app, environment.stackName('OutreachData'), { env });
  const service = new OutreachStack(app, environment.stackName('OutreachService'), {
    env,
    table: data.table,
    channel,
    alarmEmail: context('alarmEmail'),
    ...pacingProps(context),
  });
  return { app, data, service };
}
