/**
 * gRPC status → the package's typed errors. The broker reports every failure as a non-OK status
 * whose details are the only text; we keep that text and say which operation failed. Secrets never
 * reach these messages: metadata is not part of a gRPC status.
 */
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  ApiError,
  AuthError,
  ConnectionError,
  RecorderError,
  TimeoutError,
  TlsError,
} from '../../common/errors';

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * @param what the operation as the user knows it, e.g. `open "drive/a.recordingsession.yaml"`
 * @param target `host:port` of the broker, for connection messages
 */
export function fromGrpcError(err: unknown, what: string, target: string, timeoutMs?: number): RecorderError {
  if (err instanceof RecorderError) return err;
  if (!isServiceError(err)) {
    const text = err instanceof Error ? err.message : String(err);
    return new ConnectionError(`${what} failed: ${text}`, { cause: err });
  }
  const details = err.details || GrpcStatus[err.code] || 'no details';
  switch (err.code) {
    case GrpcStatus.UNAUTHENTICATED:
    case GrpcStatus.PERMISSION_DENIED:
      return new AuthError(`${what}: the broker rejected the credentials (${details})`, { cause: err });
    case GrpcStatus.UNAVAILABLE:
      if (/certificate|ssl|tls|handshake|self[- ]signed/i.test(details))
        return new TlsError(`${what}: the TLS connection to ${target} failed (${details})`, { cause: err });
      return new ConnectionError(`${what}: cannot reach the broker at ${target} (${details})`, {
        cause: err,
      });
    case GrpcStatus.DEADLINE_EXCEEDED:
      return new TimeoutError(
        `${what}: the broker at ${target} did not answer within ${timeoutMs !== undefined ? `${timeoutMs} ms` : 'the deadline'}`,
      );
    case GrpcStatus.CANCELLED:
      // Our own cancellations are reported before this point; this one came from the broker's side.
      return new ConnectionError(`${what}: the broker at ${target} cancelled the call (${details})`, {
        cause: err,
      });
    default:
      return new ApiError(
        err.code,
        details,
        `${what} failed: ${details} (${GrpcStatus[err.code] ?? err.code})`,
      );
  }
}
