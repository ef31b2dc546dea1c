/**
 * AWS list prices, US East (N. Virginia), no free tier, each with the page that publishes it.
 * Those pages fill their tables in the browser; the figures were checked against AWS's own
 * worked examples and the AWS Price List.
 */
export const price = {
  /** Step Functions standard: $0.025 per 1,000 state transitions. https://aws.amazon.com/step-functions/pricing/ */
  transition: 0.025 / 1000,
  /** Lambda: $0.20 per million requests. https://aws.amazon.com/lambda/pricing/ */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda arm64: $0.0000133334 per GB-second (first 7.5 billion a month). Same page. */
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on demand: $0.625 per million write request units (1 KB each). https://aws.amazon.com/dynamodb/pricing/on-demand/ */
  writeUnit: 0.625 / 1e6,
  /** DynamoDB on demand: $0.125 per million read request units (4 KB strongly consistent). Same page. */
  readUnit: 0.125 / 1e6,
  /** API Gateway REST: $3.50 per million requests (first 333 million). https://aws.amazon.com/api-gateway/pricing/ */
  restApiRequest: 3.5 / 1e6,
  /** CloudWatch Logs ingestion: $0.50 per GB. https://aws.amazon.com/cloudwatch/pricing/ */
  logGb: 0.5,
  /** Secrets Manager: $0.05 per 10,000 API calls, $0.40 per secret a month. https://aws.amazon.com/secrets-manager/pricing/ */
  secretsApiCall: 0.05 / 10_000,
  secretMonth: 0.4,
  /** EventBridge: $1.00 per million custom events put on a bus (each 64 KB chunk an event). https://aws.amazon.com/eventbridge/pricing/ */
  customEvent: 1 / 1e6,
  /** SQS standard: $0.40 per million requests (each 64 KB chunk a request; first 100 billion a month). https://aws.amazon.com/sqs/pricing/ */
  sqsRequest: 0.4 / 1e6,
};

/** Lambda memory of every function (lib/constructs/outreach-function.ts). */
export const LAMBDA_GB = 0.5;

/** A guess, not a measurement: START/END/REPORT lines plus a little application log. */
export const LOG_KB_PER_INVOCATION = 1;
