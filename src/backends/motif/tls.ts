/**
 * How the motif client trusts the server. motif presents a self-signed certificate without a name
 * (vendor documentation), so hostname checks are impossible; trust is either a SHA-256 pin of that
 * certificate (default: loopbio's published server.crt), a CA certificate (chain and expiry
 * verified, name not), or an explicit "insecure" choice.
 */
import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import { ConfigError } from '../../common/errors';
import { fingerprintProblem, pemProblem } from '../../common/formats';

export type MotifTls =
  { mode: 'fingerprint'; fingerprint?: string } | { mode: 'ca'; ca: string } | { mode: 'insecure' };

/** SHA-256 fingerprint of loopbio's `server.crt`, the certificate the Python client trusts. */
export const LOOPBIO_SERVER_FINGERPRINT =
  'C5:0C:CF:AB:5D:E5:43:FF:B5:90:45:A5:09:76:1C:4A:04:F1:A1:3C:62:4F:17:0C:E0:7D:41:E6:22:E6:7D:10';

/** 'c50ccf…' / 'C5:0C:…' → 'C50CCF…' so pins compare case- and colon-insensitively. */
export function normaliseFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[\s:]/g, '').toUpperCase();
}

/** 'C50CCF…' → 'C5:0C:CF:…' for messages. */
export function formatFingerprint(fingerprint: string): string {
  return (normaliseFingerprint(fingerprint).match(/../g) ?? []).join(':');
}

/** Error that the connector raises when the pin does not match; mapped by the client. */
export class PinMismatchError extends Error {
  readonly code = 'MOTIF_PIN_MISMATCH';
  constructor(readonly presented: string) {
    super('certificate fingerprint does not match the pin');
    this.name = 'PinMismatchError';
  }
}

export function validateTls(tls: MotifTls): void {
  if (tls.mode === 'fingerprint') {
    const problem = fingerprintProblem(tls.fingerprint ?? LOOPBIO_SERVER_FINGERPRINT);
    if (problem !== null) throw new ConfigError(`the motif certificate fingerprint ${problem}`);
  } else if (tls.mode === 'ca') {
    const problem = pemProblem(tls.ca);
    if (problem !== null) throw new ConfigError(`the motif CA certificate ${problem}`);
  } else if (tls.mode !== 'insecure') {
    throw new ConfigError('unknown motif TLS mode');
  }
}

/**
 * An undici connector implementing the trust mode. The pin is checked in the connect callback, i.e.
 * after the handshake and before undici writes a single request byte.
 */
export function motifConnector(tls: MotifTls, timeoutMs: number): buildConnector.connector {
  validateTls(tls);
  // The vendor certificate has no name: never check it (the chain is still verified in 'ca' mode).
  const acceptAnyName = (): undefined => undefined;
  if (tls.mode === 'ca') {
    return buildConnector({
      ca: tls.ca,
      rejectUnauthorized: true,
      checkServerIdentity: acceptAnyName,
      timeout: timeoutMs,
    });
  }
  if (tls.mode === 'insecure') {
    return buildConnector({
      rejectUnauthorized: false,
      checkServerIdentity: acceptAnyName,
      timeout: timeoutMs,
    });
  }
  const pin = normaliseFingerprint(tls.fingerprint ?? LOOPBIO_SERVER_FINGERPRINT);
  // No session cache: every connection presents its certificate and is checked again.
  const base = buildConnector({
    rejectUnauthorized: false,
    checkServerIdentity: acceptAnyName,
    maxCachedSessions: 0,
    timeout: timeoutMs,
  });
  return (options, callback) =>
    base(options, (err, socket) => {
      if (err || !socket) {
        callback(err ?? new Error('no socket'), null);
        return;
      }
      const presented = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256 ?? '';
      if (normaliseFingerprint(presented) !== pin) {
        socket.destroy();
        callback(new PinMismatchError(presented), null);
        return;
      }
      callback(null, socket);
    });
}
