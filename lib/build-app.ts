import { App, type AppProps } from 'aws-cdk-lib';
import { DataStack } from './data-stack.js';
import { OutreachStack } from './outreach-stack.js';

/** Context keys `cdk deploy -c key=value` (or the local runtime) may set. */
export interface OutreachContext {
  channel?: string;
  agentWebhookUrl?: string;
  publicApiUrl?: string;
  /** Per-organization requests per second and burst (both or neither). */
  orgRequestRate?: string;
  orgRequestBurst?: string;
  /** Seconds over which runs waking at one window opening are dispatched. */
  dispatchSpreadSeconds?: string;
  /** Concurrency reserved for Dispatch; 0 reserves none. */
  dispatchConcurrency?: string;
}

/** A numeric context value; anything but a non-negative number stops the synth, naming the key. */
function numberContext(key: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0)
    throw new Error(`Context ${key} must be a non-negative number (got ${value})`);
  return number;
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

/** The pacing settings of the context, as stack props. */
function pacingProps(context: (key: keyof OutreachContext) => string | undefined) {
  const rate = numberContext('orgRequestRate', context('orgRequestRate'));
  const burst = numberContext('orgRequestBurst', context('orgRequestBurst'));
  if ((rate === undefined) !== (burst === undefined))
    throw new Error('Set both orgRequestRate and orgRequestBurst, or neither');
  return {
    requestLimit:
      rate !== undefined && burst !== undefined ? { perSecond: rate, burst } : undefined,
    dispatchSpreadSeconds: numberContext('dispatchSpreadSeconds', context('dispatchSpreadSeconds')),
    dispatchConcurrency: numberContext('dispatchConcurrency', context('dispatchConcurrency')),
  };
}
