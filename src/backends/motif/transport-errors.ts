/**
 * Turns what undici / Node throw while talking to motif into the typed errors users see. Messages
 * name the server (host:port) and the reason, never the API key.
 */
import { ConnectionError, RecorderError, TimeoutError, TlsError } from '../../common/errors';
import { formatFingerprint, PinMismatchError } from './tls';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EPIPE',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

const UNTRUSTED_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);

/** The error's own code, or its cause's (undici sometimes wraps the socket error). */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function mapTransportError(err: unknown, server: string): RecorderError {
  if (err instanceof RecorderError) return err;
  if (err instanceof PinMismatchError) {
    const presented = err.presented ? formatFingerprint(err.presented) : 'none';
    return new TlsError(
      `motif at ${server} presented a certificate with SHA-256 fingerprint ${presented}, which does not match the pinned fingerprint`,
    );
  }
  const code = errorCode(err) ?? 'unknown error';
  if (code === 'CERT_HAS_EXPIRED')
    return new TlsError(`motif at ${server} presented an expired certificate (${code})`, { cause: err });
  if (code === 'CERT_NOT_YET_VALID')
    return new TlsError(`motif at ${server} presented a certificate that is not yet valid (${code})`, {
      cause: err,
    });
  if (UNTRUSTED_CODES.has(code))
    return new TlsError(`motif at ${server} presented a certificate that is not trusted (${code})`, {
      cause: err,
    });
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.startsWith('CERT_'))
    return new TlsError(`the TLS handshake with motif at ${server} failed (${code})`, { cause: err });
  if (code === 'UND_ERR_CONNECT_TIMEOUT')
    return new TimeoutError(`motif at ${server} did not accept the connection in time`);
  if (CONNECTION_CODES.has(code))
    return new ConnectionError(`motif at ${server} is not reachable (${code})`, { cause: err });
  return new ConnectionError(`the request to motif at ${server} failed (${code})`, { cause: err });
}
