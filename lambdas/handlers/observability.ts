import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { logger } from '../shared/logger.js';
import { metrics } from '../shared/metrics.js';

/**
 * The middlewares every handler starts with: the Lambda context on each log line, the ids the
 * invocation appends (addLogContext) dropped when it ends, never the event itself (it carries
 * API keys, task tokens and phone numbers, whatever POWERTOOLS_LOGGER_LOG_EVENT says), and the
 * invocation's buffered metrics published when it ends, error or not.
 */
export function observability(): MiddlewareObj[] {
  return [injectLambdaContext(logger, { resetKeys: true, logEvent: false }), logMetrics(metrics)];
}
