/**
 * Turns what undici / Node throw while talking to motif into the typed errors users see. Messages
 * name the server (host:port) and the reason, never the API key.
 */
import { RecorderError, TlsError } from '../../common/errors';
import { fromSocketError } from '../../common/socket-errors';
import { formatFingerprint, PinMismatchError } from './tls';

export function mapTransportError(err: unknown, server: string): RecorderError {
  if (err instanceof RecorderError) return err;
  if (err instanceof PinMismatchError) {
    const presented = err.presented ? formatFingerprint(err.presented) : 'none';
    return new TlsError(
      `motif at ${server} presented a certificate with SHA-256 fingerprint ${presented}, which does not match the pinned fingerprint`,
    );
  }
  return fromSocketError(err, `motif at ${server}`);
}
