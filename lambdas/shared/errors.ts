/**
 * Named errors of the product. Each carries the HTTP status and envelope code it maps to
 * in the Feather error envelope; `toErrorResponse` in `http.ts` is the one place that turns them
 * into HTTP.
 * Inside Step Functions tasks the class name is the Lambda `errorType`, which Retry/Catch match.
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

export class ValidationError extends AppError {
  constructor(message: string, details: FieldIssue[]) {
    super(400, 'BAD_REQUEST', message, { details });
    this.name = 'ValidationError';
  }
}

export class BadRequestError extends AppError {
  constructor(message: string) {
    super(400, 'BAD_REQUEST', message);
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Missing or invalid API key') {
    super(401, 'UNAUTHORIZED', message);
    this.name = 'UnauthorizedError';
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(404, 'NOT_FOUND', message);
    this.name = 'NotFoundError';
  }
}

export class WorkflowNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Workflow ${id} not found`);
    this.name = 'WorkflowNotFoundError';
  }
}

export class ExecutionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Execution ${id} not found`);
    this.name = 'ExecutionNotFoundError';
  }
}

export class StepExecutionNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`Step execution ${id} not found`);
    this.name = 'StepExecutionNotFoundError';
  }
}

export class RouteNotFoundError extends NotFoundError {
  constructor(method: string, path: string) {
    super(`No route for ${method} ${path}`);
    this.name = 'RouteNotFoundError';
  }
}

export class WorkflowInactiveError extends AppError {
  constructor(id: string) {
    super(409, 'CONFLICT', `Workflow ${id} is not active; activate it before starting executions`);
    this.name = 'WorkflowInactiveError';
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(contentType: string | undefined) {
    super(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json (got ${contentType ?? 'none'})`
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/**
 * A run's stored state is behind its state machine (a step the machine already passed is
 * current again, or attempts exist past the current step). Never re-plan from such a record:
 * that is how an earlier step would be contacted again. Logged as an error; the run fails.
 */
export class ExecutionRegressedError extends AppError {
  constructor(executionId: string, detail: string) {
    super(409, 'CONFLICT', `Execution ${executionId} record is behind its run: ${detail}`);
    this.name = 'ExecutionRegressedError';
  }
}

/** Concurrent writes kept refusing an update after several fresh reads. */
export class ConcurrentUpdateError extends AppError {
  constructor(what: string) {
    super(409, 'CONFLICT', `${what} kept conflicting with concurrent updates; retry`);
    this.name = 'ConcurrentUpdateError';
  }
}

/** The workflow's schedules never allow contacting this recipient: nothing would ever run. */
export class NoContactWindowError extends AppError {
  constructor(reason: string) {
    super(409, 'CONFLICT', reason);
    this.name = 'NoContactWindowError';
  }
}
