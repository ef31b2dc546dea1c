import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../lambdas/shared/errors.js';

/** Gateway response types API Gateway counts as its own 5xx (they fall back to DEFAULT_5XX). */
const serverSide = new Set([
  'DEFAULT_5XX',
  'AUTHORIZER_FAILURE',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'API_CONFIGURATION_ERROR',
]);

/** The template's gateway responses by type: status and body template. */
export type GatewayResponses = Map<string, { status: number; template: string }>;

export interface ErrorAnswer {
  status: number;
  body: string;
}

/** How long a client that sent too large a body may go on sending before it is cut off. */
const DRAIN_MS = 10_000;

/**
 * The template's gateway response for `type`, with the message filled in. A type the template
 * does not customize falls back to DEFAULT_4XX (DEFAULT_5XX for the 5xx default itself).
 */
export function renderGatewayError(
  responses: GatewayResponses,
  type: string,
  message: string
): ErrorAnswer {
  const response =
    responses.get(type) ?? responses.get(serverSide.has(type) ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const template = response?.template ?? '{"message":$context.error.messageString}';
  return {
    status: response?.status ?? 500,
    body: template.replaceAll('$context.error.messageString', () => JSON.stringify(message)),
  };
}

export function sendGatewayError(res: ServerResponse, answer: ErrorAnswer): void {
  res.writeHead(answer.status, { 'content-type': 'application/json' });
  res.end(answer.body);
}

/**
 * The 413 for a body over the limit. It is written at once, and the connection closes after
 * it because the unread rest of the body leaves no request boundary to continue from. The
 * response only ends once the client has finished sending, though: closing a socket that
 * still receives data makes the kernel reset the connection, and a reset can discard the 413
 * before the client reads it. A client still sending after DRAIN_MS is cut off.
 */
export function answerTooLarge(
  req: IncomingMessage,
  res: ServerResponse,
  answer: ErrorAnswer
): void {
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(answer.body),
    connection: 'close',
  });
  res.write(answer.body);
  const cutOff = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  req.once('close', () => clearTimeout(cutOff));
  req.once('end', () => res.end());
  req.resume();
}

interface ParserError {
  status: number;
  code: ErrorCode;
  message: string;
}

const PARSER_ERRORS: Record<string, ParserError> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'BAD_REQUEST',
    message: 'Request header fields too large',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Chunk extensions too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'BAD_REQUEST', message: 'Request timed out' },
};
const MALFORMED: ParserError = { status: 400, code: 'BAD_REQUEST', message: 'Malformed request' };

/**
 * Counts each socket's requests in progress, so that a parser error on a keep-alive connection
 * never writes its answer into the middle of another response.
 */
export function trackInFlight(server: Server): (socket: object) => boolean {
  const inFlight = new WeakMap<object, number>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => inFlight.set(socket, (inFlight.get(socket) ?? 1) - 1));
  });
  return (socket) => (inFlight.get(socket) ?? 0) > 0;
}

/**
 * Answers what Node's HTTP parser rejected (a malformed request line or header, headers over
 * the size limit) in the product's envelope instead of Node's empty 400/431. There is no
 * ServerResponse for such a request, so the answer goes onto the socket by hand; the socket
 * then closes, since the parser cannot find where the next request would start.
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  busy: boolean
): void {
  // A reset peer reads nothing, and a response already under way must not be corrupted.
  if (error.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  const { status, code, message } = PARSER_ERRORS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ status, code, message, success: false });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
