/**
 * Typed errors shared by every backend and node. No Node-RED imports: backends throw these, nodes
 * turn them into `done(err)` (so Catch nodes see them) and a short status text.
 *
 * `code` is stable and machine-readable (it ends up in `msg.error.code` via the Catch node);
 * `statusText` is the short text shown under a node.
 */
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
  readonly statusText: string;

  constructor(code: RecorderErrorCode, message: string, statusText?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecorderError';
    this.code = code;
    this.statusText = statusText ?? code.toLowerCase();
  }
}

/** The message or the configuration is wrong; raised before anything reaches a server. */
export class InputError extends RecorderError {
  constructor(message: string) {
    super('INPUT', message, 'bad input');
    this.name = 'InputError';
  }
}

export class ConfigError extends RecorderError {
  constructor(message: string) {
    super('CONFIG', message, 'not configured');
    this.name = 'ConfigError';
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

/** The server answered with an error. `status` is the HTTP status or the gRPC status code. */
export class ApiError extends RecorderError {
  readonly status: number;
  readonly serverMessage: string;

  constructor(status: number, serverMessage: string, message?: string) {
    super('API', message ?? `server error ${status}: ${serverMessage}`, `error ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.serverMessage = serverMessage;
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

/** Auth failures are not retried in a loop: the user must fix the credential first. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof RecorderError)) return true;
  return err.code !== 'AUTH' && err.code !== 'CONFIG' && err.code !== 'INPUT' && err.code !== 'TLS';
}
