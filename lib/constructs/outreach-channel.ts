import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { CfnStage, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { envNames } from '../../lambdas/shared/config.js';
import type { ChannelSettings } from '../channel-settings.js';

export interface OutreachChannelProps {
  settings: ChannelSettings;
  /** The function that hands step attempts to the channel. */
  dispatchFunction: LambdaFunction;
  /** The API the agent reports outcomes to. */
  api: RestApi;
}

/**
 * The stage's base URL built from the API's id and the stage's literal name. `api.url` would
 * reference the stage, whose deployment depends on the Api function, which depends on the state
 * machine, which depends on Dispatch: Dispatch's environment would close a CloudFormation cycle.
 * The RestApi itself depends on nothing.
 */
export function stageUrl(api: RestApi): string {
  const stageName = (api.deploymentStage.node.defaultChild as CfnStage).stageName;
  if (!stageName) throw new Error('The API stage has no literal name to build its URL from');
  const stack = Stack.of(api);
  return `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`;
}

/**
 * Tells Dispatch which channel it hands attempts to. For `webhook`: the agent endpoint, a
 * generated signing secret in Secrets Manager (only its ARN in the environment, only
 * GetSecretValue on it), and the callback base URL of this very API, so one deploy suffices.
 */
export class OutreachChannel extends Construct {
  readonly signingSecret?: Secret;

  constructor(scope: Construct, id: string, props: OutreachChannelProps) {
    super(scope, id);
    const { settings, dispatchFunction: dispatch } = props;
    dispatch.addEnvironment(envNames.OUTREACH_CHANNEL, settings.channel);
    // Every deploy: agents' provider channels give Twilio status callback URLs on this API.
    dispatch.addEnvironment(envNames.PUBLIC_API_URL, stageUrl(props.api));
    if (settings.channel !== 'webhook') return;

    const secret = new Secret(this, 'SigningSecret', {
      description: 'HMAC-SHA256 key the webhook channel signs its requests to the agent with',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.signingSecret = secret;
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating means handing the agent the new value too: an operator replaces it (README, "Webhook signatures")',
    });
    dispatch.addEnvironment(envNames.AGENT_WEBHOOK_URL, settings.agentWebhookUrl);
    dispatch.addEnvironment(envNames.AGENT_WEBHOOK_SECRET_ARN, secret.secretArn);
    dispatch.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secret.secretArn],
      })
    );
    new CfnOutput(this, 'SigningSecretArn', {
      description: 'Give the agent this secret value to verify x-outreach-signature',
      value: secret.secretArn,
    });
  }
}
