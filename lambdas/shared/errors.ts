/**
 * Named errors of the product. Each carries the HTTP status and code of Feather's error envelope
 * it maps to; `toErrorResponse` in `handlers/http.ts` is the one place that turns them into
 * HTTP. Inside Step Functions tasks the error's name is the Lambda `errorType`, which the state
 * machine's Retry and Catch match, so names are set explicitly (bundles are minified).
 */

export type ErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR';

export interface FieldIssue {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details?: FieldIssue[];

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options?: ErrorOptions & { details?: FieldIssue[] }
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = options?.details;
  }
}

/** Declares an error class whose name, status, code and message are fixed by its arguments. */
function namedError<A extends unknown[]>(
  name: string,
  status: number,
  code: ErrorCode,
  message: (...args: A) => string
) {
  const NamedError = class extends AppError {
    constructor(...args: A) {
      super(status, code, message(...args));
      this.name = name;
    }
  };
  Object.defineProperty(NamedError, 'name', { value: name });
  return NamedError;
}

export class ValidationError extends AppError {
  constructor(message: string, details: FieldIssue[]) {
    super(400, 'BAD_REQUEST', message, { details });
    this.name = 'ValidationError';
  }
}

export const BadRequestError = namedError(
  'BadRequestError',
  400,
  'BAD_REQUEST',
  (message: string) => message
);
export const UnauthorizedError = namedError(
  'UnauthorizedError',
  401,
  'UNAUTHORIZED',
  (message: string = 'Missing or invalid API key') => message
);
export const WorkflowNotFoundError = namedError(
  'WorkflowNotFoundError',
  404,
  'NOT_FOUND',
  (id: string) => `Workflow ${id} not found`
);
export const OrganizationNotFoundError = namedError(
  'OrganizationNotFoundError',
  404,
  'NOT_FOUND',
  (id: string) => `Organization ${id} not found`
);
export const AgentNotFoundError = namedError(
  'AgentNotFoundError',
  404,
  'NOT_FOUND',
  (id: string) => `Agent ${id} not found`
);
export const AgentExistsError = namedError(
  'AgentExistsError',
  409,
  'CONFLICT',
  (id: string) => `Agent ${id} already exists; choose another id or PATCH it`
);
export const ExecutionNotFoundError = namedError(
  'ExecutionNotFoundError',
  404,
  'NOT_FOUND',
  (id: string) => `Execution ${id} not found`
);
export const StepExecutionNotFoundError = namedError(
  'StepExecutionNotFoundError',
  404,
  'NOT_FOUND',
  (id: string) => `Step execution ${id} not found`
);
export const RouteNotFoundError = namedError(
  'RouteNotFoundError',
  404,
  'NOT_FOUND',
  (method: string, path: string) => `No route for ${method} ${path}`
);
export const WorkflowInactiveError = namedError(
  'WorkflowInactiveError',
  409,
  'CONFLICT',
  (id: string) => `Workflow ${id} is not active; activate it before starting executions`
);
export const PayloadTooLargeError = namedError(
  'PayloadTooLargeError',
  413,
  'PAYLOAD_TOO_LARGE',
  (limitBytes: number) => `Request body exceeds ${limitBytes} bytes`
);
export const UnsupportedMediaTypeError = namedError(
  'UnsupportedMediaTypeError',
  415,
  'UNSUPPORTED_MEDIA_TYPE',
  (contentType: string | undefined) =>
    `Content-Type must be application/json (got ${contentType ?? 'none'})`
);

/**
 * A run's stored state is behind its state machine (a step the machine already passed is
 * current again, or attempts exist past the current step). Never re-plan from such a record:
 * that is how an earlier step would be contacted again. Logged as an error; the run fails.
 */
export const ExecutionRegressedError = namedError(
  'ExecutionRegressedError',
  409,
  'CONFLICT',
  (executionId: string, detail: string) =>
    `Execution ${executionId} record is behind its run: ${detail}`
);

/** A control that does not apply to the run as it is (pausing or resuming a finished run). */
export const SuppressionNotFoundError = namedError(
  'SuppressionNotFoundError',
  404,
  'NOT_FOUND',
  (phoneNumber: string) => `${phoneNumber} is not on the organization's do-not-contact list`
);
export const EmergencyStopNotFoundError = namedError(
  'EmergencyStopNotFoundError',
  404,
  'NOT_FOUND',
  (state: string) => `No emergency stop is in force for ${state}`
);
export const WebhookSubscriptionNotFoundError = namedError(
  'WebhookSubscriptionNotFoundError',
  404,
  'NOT_FOUND',
  (id: string) => `Webhook subscription ${id} not found`
);
export const WebhookSubscriptionLimitError = namedError(
  'WebhookSubscriptionLimitError',
  409,
  'CONFLICT',
  (limit: number) =>
    `An organization holds at most ${limit} webhook subscriptions; delete one first`
);
export const ExecutionConflictError = namedError(
  'ExecutionConflictError',
  409,
  'CONFLICT',
  (action: string, reason: string) => `Cannot ${action} the execution: ${reason}`
);

/** The same Idempotency-Key sent again with a different request. */
export const IdempotencyKeyReusedError = namedError(
  'IdempotencyKeyReusedError',
  409,
  'CONFLICT',
  () => 'Idempotency-Key was already used for a different request'
);

/** Concurrent writes kept refusing an update after several fresh reads. */
export const ConcurrentUpdateError = namedError(
  'ConcurrentUpdateError',
  409,
  'CONFLICT',
  (what: string) => `${what} kept conflicting with concurrent updates; retry`
);

/** The workflow's schedules never allow contacting this recipient: nothing would ever run. */
export const NoContactWindowError = namedError(
  'NoContactWindowError',
  409,
  'CONFLICT',
  (reason: string) => reason
);

/** The organization sent more requests than its limit allows; answered with Retry-After. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      429,
      'RATE_LIMITED',
      `Too many requests for this organization; retry after ${retryAfterSeconds} s`
    );
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
