/**
 * The simulator's TLS certificate: self-signed, CA:TRUE and without a name, like loopbio's
 * server.crt, so clients exercise the same trust paths (pin, CA without hostname check).
 */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface SimCertificate {
  key: string;
  cert: string;
}

let shared: Promise<SimCertificate> | undefined;

/** Generates a certificate; `validDays` < 0 gives an already expired one (for tests). */
export async function generateCertificate(
  options: { validDays?: number; organization?: string } = {},
): Promise<SimCertificate> {
  const days = options.validDays ?? 3650;
  const now = Date.now();
  const notBeforeDate = new Date(days < 0 ? now + (days - 1) * 86_400_000 : now - 60_000);
  const notAfterDate = new Date(now + days * 86_400_000);
  // EC keys keep generation fast; the attributes mirror server.crt (C and O, no CN, no SAN).
  const pems = await generate(
    [
      { name: 'countryName', value: 'AU' },
      { name: 'organizationName', value: options.organization ?? 'motif simulator' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate,
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      ],
    },
  );
  return { key: pems.private, cert: pems.cert };
}

/** One certificate per process, shared by every simulator started without its own. */
export function sharedCertificate(): Promise<SimCertificate> {
  shared ??= generateCertificate();
  return shared;
}

export function fingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
