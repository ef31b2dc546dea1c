import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { envNames } from '../../lambdas/shared/config.js';

/**
 * Agents' provider credentials: one Secrets Manager secret per organization and agent, created
 * at run time by the API under this stack's own prefix (`<stack>/agents/…`), so each function's
 * grant names this deployment's agent secrets and no other secret of the account. The secrets
 * are not CloudFormation resources: deleting the stack leaves them (delete the agents first).
 */
export class AgentCredentials extends Construct {
  readonly prefix: string;
  private readonly secretArns: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.prefix = `${Stack.of(this).stackName}/agents`;
    // Secrets Manager appends six random characters to each secret's ARN: only a wildcard matches.
    this.secretArns = Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${this.prefix}/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this)
    );
  }

  /** The API writes them: create, replace, delete; it never reads a value back. */
  allowWrite(fn: LambdaFunction): void {
    this.grant(fn, [
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
    ]);
  }

  /** The channel adapters read them when they contact a provider. */
  allowRead(fn: LambdaFunction): void {
    this.grant(fn, ['secretsmanager:GetSecretValue']);
  }

  private grant(fn: LambdaFunction, actions: string[]): void {
    fn.addEnvironment(envNames.AGENT_SECRETS_PREFIX, this.prefix);
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.secretArns] }));
  }
}
