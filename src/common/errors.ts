/**
 * Typed errors shared by every backend and node. No Node-RED imports: backends throw these, nodes
 * turn them into `done(err)` (so Catch nodes see them) and a short status text.
 *
 * `code` is stable and machine-readable (it ends up in `msg.error.code` via the Catch node);
 * `statusText` is the short text shown under a node.
 */
import { capText, redact, shortText } from './text';

export type RecorderErrorCode =
  | 'INPUT' // the message or node configuration is wrong; nothing was sent
  | 'CONFIG' // the node is not configured (no server, missing credential)
  | 'CONNECTION' // the server could not be reached (refused, DNS, reset)
  | 'TLS' // the TLS handshake or certificate check failed
  | 'AUTH' // the server rejected the credentials
  | 'TIMEOUT' // no answer within the configured time
  | 'API' // the server answered with an error
  | 'CLOSED'; // the client was closed while the call was under way

export class RecorderError extends Error {
  readonly code: RecorderErrorCode;
  statusText: string;

  /** The message is capped and its control characters escaped: it may quote hostile input. */
  constructor(code: RecorderErrorCode, message: string, statusText?: string, options?: { cause?: unknown }) {
    super(capText(message), options);
    this.name = 'RecorderError';
    this.code = code;
    this.statusText = shortText(statusText ?? code.toLowerCase(), MAX_STATUS_WORDS);
  }
}

/** Longest status text an error contributes (the status line adds context around it). */
const MAX_STATUS_WORDS = 28;

/** The message is wrong; raised before anything reaches a server. `where` names the msg property. */
export class InputError extends RecorderError {
  readonly where: string | undefined;

  constructor(message: string, where?: string) {
    super('INPUT', message, 'bad input');
    this.name = 'InputError';
    this.where = where;
  }
}

/** The node's (or its config node's) configuration is wrong. `where` names the config field. */
export class ConfigError extends RecorderError {
  readonly where: string | undefined;

  constructor(message: string, where?: string, statusText = 'not configured') {
    super('CONFIG', message, statusText);
    this.name = 'ConfigError';
    this.where = where;
  }
}

export class ConnectionError extends RecorderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION', message, 'unreachable', options);
    this.name = 'ConnectionError';
  }
}

export class TlsError extends RecorderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TLS', message, 'TLS failed', options);
    this.name = 'TlsError';
  }
}

export class AuthError extends RecorderError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('AUTH', message, 'auth failed', options);
    this.name = 'AuthError';
  }
}

export class TimeoutError extends RecorderError {
  constructor(message: string) {
    super('TIMEOUT', message, 'timeout');
    this.name = 'TimeoutError';
  }
}

/**
 * The server answered with an error. `status` is the HTTP status or the gRPC status code. The status
 * text says what happened in words ("already recording"): the backend passes one, else the server's
 * own message is shortened, and only without either does a bare code show.
 */
export class ApiError extends RecorderError {
  readonly status: number;
  serverMessage: string;

  constructor(status: number, serverMessage: string, message?: string, statusText?: string) {
    super(
      'API',
      message ?? `server error ${status}: ${serverMessage}`,
      statusText ?? (serverMessage.trim() ? serverMessage : `error ${status}`),
    );
    this.name = 'ApiError';
    this.status = status;
    this.serverMessage = capText(serverMessage);
  }
}

export class ClosedError extends RecorderError {
  constructor(message = 'the connection was closed') {
    super('CLOSED', message, 'closed');
    this.name = 'ClosedError';
  }
}

/** Any thrown value as a RecorderError, keeping typed errors as they are. */
export function toRecorderError(err: unknown): RecorderError {
  if (err instanceof RecorderError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new RecorderError('API', message, 'error', { cause: err });
}

/**
 * The same error with every configured secret cut out of its texts, in place, because a server may
 * echo a credential into its error ("invalid API key 'k3y'"). The one redaction every backend's
 * errors pass through (the connection's `run` and `watch`).
 */
export function redactError<E extends RecorderError>(error: E, secrets: readonly (string | undefined)[]): E {
  if (secrets.length === 0) return error;
  error.message = redact(error.message, secrets);
  error.statusText = redact(error.statusText, secrets);
  if (error instanceof ApiError) error.serverMessage = redact(error.serverMessage, secrets);
  if (error.stack) error.stack = redact(error.stack, secrets);
  return error;
}

const CONNECTION_LEVEL: ReadonlySet<RecorderErrorCode> = new Set([
  'CONNECTION',
  'TIMEOUT',
  'TLS',
  'AUTH',
  'CLOSED',
]);

/**
 * Errors that speak about the connection (the server, the link, the credential) rather than about
 * one call: the connection's state shows them, the same on every node of that server.
 */
export function isConnectionLevel(error: RecorderError): boolean {
  return CONNECTION_LEVEL.has(error.code);
}

/** Auth failures are not retried in a loop: the user must fix the credential first. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof RecorderError)) return true;
  return err.code !== 'AUTH' && err.code !== 'CONFIG' && err.code !== 'INPUT' && err.code !== 'TLS';
}
