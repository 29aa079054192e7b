/**
 * gRPC status → the package's typed errors. The broker reports every failure as a non-OK status
 * whose details are the only text; we keep that text (escaped and capped: a broker may send
 * anything) and say which operation failed. The client never builds a text from call metadata, so
 * our credentials can only appear where the broker echoes them in its details; the common layer
 * redacts configured secrets from every error text on top.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ANSWER_TOO_LARGE } from '../../common/answer-cap';
import {
  ApiError,
  AuthError,
  ConnectionError,
  RecorderError,
  TimeoutError,
  TlsError,
} from '../../common/errors';

/** How much of the broker's text an error keeps. */
export const MAX_DETAILS = 300;

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/** Broker text fit for a log line: control characters escaped, length capped. */
export function cleanDetails(text: string): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n' ? '\\n' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > MAX_DETAILS ? `${escaped.slice(0, MAX_DETAILS)}…` : escaped;
}

/**
 * The short text under a node for a broker API error: what happened in words, from the gRPC code
 * and, where one code covers several cases, the broker's message (the simulator's choices are in
 * docs/simulators/remotive.md; a real broker's codes are not published).
 */
export function apiStatusText(code: number, details: string): string {
  switch (code) {
    case GrpcStatus.NOT_FOUND:
      if (/signal/i.test(details)) return 'unknown signal';
      if (/namespace/i.test(details)) return 'no such namespace';
      if (/folder|director/i.test(details)) return 'no such folder';
      return 'no such recording';
    case GrpcStatus.ALREADY_EXISTS:
      return 'already open';
    case GrpcStatus.FAILED_PRECONDITION:
      return /not open/i.test(details) ? 'session not open' : 'not possible now';
    case GrpcStatus.INVALID_ARGUMENT:
      return /offset|past the end|before its end/i.test(details) ? 'bad offset' : 'rejected';
    case GrpcStatus.OUT_OF_RANGE:
      return 'out of range';
    case GrpcStatus.RESOURCE_EXHAUSTED:
      return 'broker limit reached';
    case GrpcStatus.UNIMPLEMENTED:
      return 'not supported';
    case GrpcStatus.ABORTED:
      return 'aborted, try again';
    default:
      return 'broker error';
  }
}

/** The operation each error of ours was made for (its message starts with it). */
const OPERATION = new WeakMap<RecorderError, string>();

/**
 * An error's message without the operation it starts with: the reason alone, for when the same
 * failure is reported for another operation (a stored connection error met by a later call).
 */
export function reasonOf(error: RecorderError): string {
  const what = OPERATION.get(error);
  if (what && error.message.startsWith(`${what}: `)) return error.message.slice(what.length + 2);
  if (what && error.message.startsWith(`${what} failed: `)) return error.message.slice(what.length + 9);
  return error.message;
}

/**
 * @param what the operation as the user knows it, e.g. `open "drive/a.recordingsession.yaml"`
 * @param target `host:port` of the broker, for connection messages
 */
export function fromGrpcError(err: unknown, what: string, target: string, timeoutMs?: number): RecorderError {
  if (err instanceof RecorderError) return err;
  const error = translate(err, what, target, timeoutMs);
  OPERATION.set(error, what);
  return error;
}

function translate(err: unknown, what: string, target: string, timeoutMs?: number): RecorderError {
  if (!isServiceError(err)) {
    const text = cleanDetails(err instanceof Error ? err.message : String(err));
    return new ConnectionError(`${what} failed: ${text}`, { cause: err });
  }
  const details = cleanDetails(err.details || GrpcStatus[err.code] || 'no details');
  switch (err.code) {
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return new AuthError(`${what}: the broker rejected the credentials (${details})`);
    case GrpcStatus.UNAVAILABLE:
      if (/certificate|ssl|tls|handshake|self[- ]signed/i.test(details))
        return new TlsError(`${what}: the TLS connection to ${target} failed (${details})`);
      return new ConnectionError(`${what}: cannot reach the broker at ${target} (${details})`);
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new TimeoutError(
        `${what}: the broker at ${target} did not answer within ${timeoutMs !== undefined ? `${timeoutMs} ms` : 'the deadline'}`,
      );
    case GrpcStatus.RESOURCE_EXHAUSTED:
      // Raised by our own side: a message over the channel's receive limit, the package's cap.
      if (/received message larger than max/i.test(details))
        return new ApiError(err.code, details, `${what} failed: ${ANSWER_TOO_LARGE}`, 'answer too large');
      return new ApiError(
        err.code,
        details,
        `${what} failed: ${details} (RESOURCE_EXHAUSTED)`,
        apiStatusText(err.code, details),
      );
    case GrpcStatus.CANCELLED:
      // Our own cancellations are reported before this point; this one came from the broker's side.
      return new ConnectionError(`${what}: the broker at ${target} cancelled the call (${details})`);
    default:
      return new ApiError(
        err.code,
        details,
        `${what} failed: ${details} (${GrpcStatus[err.code] ?? err.code})`,
        apiStatusText(err.code, details),
      );
  }
}
