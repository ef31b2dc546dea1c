import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './metric-names.js';

/** One structured logger for every function; POWERTOOLS_SERVICE_NAME overrides the service. */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/** The ids a log line can be tied to; each is appended once known. */
export interface LogContext {
  organizationId?: string;
  workflowId?: string;
  executionId?: string;
  stepExecutionId?: string;
  agentId?: string;
}

/**
 * Adds the ids known so far to every later log line of this invocation. The handlers'
 * injectLambdaContext middleware (resetKeys) drops them when the invocation ends, so one run's
 * ids never appear on the next invocation's lines.
 */
export function addLogContext(context: LogContext): void {
  const known = Object.entries(context).filter(([, value]) => value !== undefined);
  if (known.length > 0) logger.appendKeys(Object.fromEntries(known));
}

/** A phone number as logs may show it: the country code and last two digits, `+1*******23`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 5) return '*'.repeat(phone.length);
  return `${phone.slice(0, 2)}${'*'.repeat(phone.length - 4)}${phone.slice(-2)}`;
}
