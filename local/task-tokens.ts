import { randomBytes } from 'node:crypto';
import type { StateMachine } from 'aws-local-stepfunctions';
import { TASK_TOKEN_SENTINEL } from './asl.js';
import { AwsApiError } from './aws-api-error.js';

export type JSONValue = Parameters<StateMachine['run']>[0];

interface Pending {
  resolve: (value: JSONValue) => void;
  reject: (error: Error) => void;
}

/**
 * Tokens as long as AWS's, so the items that store one (a step attempt, a parked run) have
 * their real size and write cost locally. AWS's are base64 strings of up to 2,048 characters
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html);
 * published real ones run 700–740 characters and grow with the execution's ARN (e.g.
 * https://github.com/aws-samples/aws-serverless-developer-experience-workshop-dotnet/blob/main/Unicorn.Properties/PropertiesService.Tests/PropertiesApprovalSyncFunctionTest.cs,
 * 736). 1,024 is a round figure above those, so local item sizes are never understated.
 */
export const TASK_TOKEN_LENGTH = 1024;

function mintToken(): string {
  return randomBytes((TASK_TOKEN_LENGTH / 4) * 3).toString('base64');
}

const notWaiting = () =>
  new AwsApiError('TaskTimedOut', 'Task Timed Out: the token is not waiting');

/**
 * Task tokens for `.waitForTaskToken` states, which the library cannot run itself: the state
 * waits on a promise that SendTaskSuccess or SendTaskFailure settles.
 */
export class TaskTokens {
  private readonly pending = new Map<string, Pending>();

  /**
   * Mints a token, hands `invoke` the payload with the token in place of the sentinel, and
   * resolves with the output sent for that token. `owned` tracks the execution's open tokens.
   */
  wait(
    owned: Set<string>,
    payload: Record<string, unknown>,
    invoke: (payload: Record<string, unknown>) => Promise<unknown>
  ): Promise<JSONValue> {
    const token = mintToken();
    const withToken = Object.fromEntries(
      Object.entries(payload).map(([key, value]) => [
        key,
        value === TASK_TOKEN_SENTINEL ? token : value,
      ])
    );
    const result = new Promise<JSONValue>((resolve, reject) => {
      this.pending.set(token, { resolve, reject });
    });
    owned.add(token);
    const cleanup = () => {
      this.pending.delete(token);
      owned.delete(token);
    };
    result.then(cleanup, cleanup);
    // The handler's own failure fails the task, as Lambda's would; its result is ignored.
    invoke(withToken).catch((error: Error) => this.pending.get(token)?.reject(error));
    return result;
  }

  succeed(token: string, output: string): void {
    const pending = this.pending.get(token);
    if (!pending) throw notWaiting();
    pending.resolve(JSON.parse(output) as JSONValue);
  }

  fail(token: string, error: string | undefined, cause: string | undefined): void {
    const pending = this.pending.get(token);
    if (!pending) throw notWaiting();
    const failure = new Error(cause ?? '');
    failure.name = error ?? 'States.TaskFailed';
    pending.reject(failure);
  }

  /**
   * Fails the tokens an ended execution still holds: after an abort the library keeps the
   * state's timeout timer armed until the task settles, which would keep the process alive.
   */
  endAll(tokens: Iterable<string>): void {
    for (const token of tokens)
      this.pending.get(token)?.reject(new AwsApiError('ExecutionEnded', 'Execution ended'));
  }
}
