import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The `Project` tag on every resource. */
export const PROJECT_TAG = 'outreach-workflows';

/** A letter, then letters, digits or hyphens: valid in a stack name and in export names. */
const ENVIRONMENT_NAME = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

/**
 * Where one copy of the app is deployed: `-c env=prod` names it. Its name prefixes both stack
 * names (`prod-OutreachData`, `prod-OutreachService`), so dev and prod live side by side in one
 * account, each with its own table, state machine and cross-stack exports. Without a name the
 * stacks keep their original names, so a stack deployed before environments existed is updated,
 * never replaced.
 */
export class DeploymentEnvironment {
  private constructor(readonly name: string | undefined) {}

  static named(name: string | undefined): DeploymentEnvironment {
    if (name !== undefined && !ENVIRONMENT_NAME.test(name)) {
      throw new Error(
        `-c env=${name}: an environment name is a letter followed by up to 19 letters, digits or hyphens`
      );
    }
    return new DeploymentEnvironment(name);
  }

  /** The stack name (and construct id) of `base` in this environment. */
  stackName(base: string): string {
    return this.name === undefined ? base : `${this.name}-${base}`;
  }

  /** Tags every resource under `scope` with the project and this environment. */
  tag(scope: IConstruct): void {
    Tags.of(scope).add('Project', PROJECT_TAG);
    Tags.of(scope).add('Environment', this.name ?? 'default');
  }
}
