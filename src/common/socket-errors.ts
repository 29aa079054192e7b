/**
 * What Node, undici and ws throw when a socket or a TLS handshake fails, as the typed errors users
 * see. Shared by every backend that speaks HTTP or WebSocket; each names its server (`subject`, e.g.
 * "motif at 10.0.0.5:6083") and never a credential. No Node-RED imports.
 */
import { ConnectionError, RecorderError, TimeoutError, TlsError } from './errors';

const CONNECTION_CODES: ReadonlySet<string> = new Set([
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

const UNTRUSTED_CODES: ReadonlySet<string> = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The error's own code, or a cause's (fetch and undici wrap the socket error as `cause`). */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_INVALID_STATE') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The deepest cause's message (socket-level text such as "bad port"; never a header). */
function innermostMessage(err: unknown): string {
  let message = 'unknown error';
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error && e.message) message = e.message;
    e = (e as { cause?: unknown }).cause;
  }
  return message;
}

/** A socket or TLS failure as a typed error; typed errors pass through unchanged. */
export function fromSocketError(err: unknown, subject: string): RecorderError {
  if (err instanceof RecorderError) return err;
  const code = errorCode(err);
  const cause = { cause: err };
  if (code === 'CERT_HAS_EXPIRED')
    return new TlsError(`${subject} presented an expired certificate (${code})`, cause);
  if (code === 'CERT_NOT_YET_VALID')
    return new TlsError(`${subject} presented a certificate that is not yet valid (${code})`, cause);
  if (code && UNTRUSTED_CODES.has(code))
    return new TlsError(`${subject} presented a certificate that is not trusted (${code})`, cause);
  if (code && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.startsWith('CERT_')))
    return new TlsError(`the TLS handshake with ${subject} failed (${code})`, cause);
  if (code === 'UND_ERR_CONNECT_TIMEOUT')
    return new TimeoutError(`${subject} did not accept the connection in time`);
  if (code && CONNECTION_CODES.has(code))
    return new ConnectionError(`${subject} is not reachable (${code})`, cause);
  return new ConnectionError(`the request to ${subject} failed (${code ?? innermostMessage(err)})`, cause);
}
