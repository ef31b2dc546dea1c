import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { config } from '../shared/config.js';

/**
 * A minimal SigV4-signed caller for the AWS JSON protocols (EventBridge, SQS), for the few
 * operations the webhook delivery sends. Stand-in for `@aws-sdk/client-eventbridge` and
 * `@aws-sdk/client-sqs`, which this repository does not depend on yet: the operation names and
 * input fields are the SDK's, so moving to the clients changes only this module's callers'
 * one-line bodies. The only switch to the local runtime is the endpoint variable, as for the
 * SDK clients in aws-clients.ts.
 */

export interface AwsJsonService {
  /** The signing name and the host prefix: `events`, `sqs`. */
  service: string;
  /** The `X-Amz-Target` prefix: `AWSEvents`, `AmazonSQS`. */
  targetPrefix: string;
  /** `1.1` (EventBridge) or `1.0` (SQS). */
  jsonVersion: '1.0' | '1.1';
  /** Local runtime only: a loopback endpoint. */
  endpoint: string | undefined;
}

/** An error the service answered, named as the SDK names it (`__type` without its namespace). */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(`${code}: ${message}`);
    this.name = code;
  }
}

class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', Buffer.from(this.secret as Uint8Array));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

const credentials = defaultProvider();

export async function callAwsJson<T>(
  api: AwsJsonService,
  operation: string,
  input: unknown
): Promise<T> {
  const region = config().AWS_REGION ?? 'us-east-1';
  const url = new URL(api.endpoint ?? `https://${api.service}.${region}.amazonaws.com/`);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: api.service,
    region,
    sha256: NodeSha256,
    credentials: api.endpoint ? { accessKeyId: 'local', secretAccessKey: 'local' } : credentials,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': `application/x-amz-json-${api.jsonVersion}`,
      'x-amz-target': `${api.targetPrefix}.${operation}`,
    },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const code = String(parsed.__type ?? `HTTP${response.status}`)
      .split('#')
      .at(-1) as string;
    throw new AwsServiceError(code, String(parsed.message ?? parsed.Message ?? text));
  }
  return parsed as T;
}
