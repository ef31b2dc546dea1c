import type { IAspect } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, StarPrincipal } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

const insecureTransport = { Bool: { 'aws:SecureTransport': 'false' } };

/**
 * Every SQS queue and SNS topic of the app refuses requests without TLS, whoever created it:
 * the same deny statement `enforceSSL: true` adds (a queue or topic that already sets it keeps
 * one copy, CDK drops identical statements). Applied to the whole app in lib/build-app.ts.
 */
export class RequireTls implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof Queue) {
      node.addToResourcePolicy(
        new PolicyStatement({
          actions: ['sqs:*'],
          conditions: insecureTransport,
          effect: Effect.DENY,
          resources: [node.queueArn],
          principals: [new AnyPrincipal()],
        })
      );
    } else if (node instanceof Topic) {
      node.addToResourcePolicy(
        new PolicyStatement({
          sid: 'AllowPublishThroughSSLOnly',
          actions: ['sns:Publish'],
          effect: Effect.DENY,
          resources: [node.topicArn],
          conditions: insecureTransport,
          principals: [new StarPrincipal()],
        })
      );
    }
  }
}
