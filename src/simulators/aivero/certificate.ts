/**
 * The simulator's TLS certificate: self-signed and CA:TRUE like the cert-manager CA issuer of the
 * Aivero chart, with loopback names (127.0.0.1, ::1, localhost) so a client that trusts it as its
 * CA passes the normal hostname check.
 */
import { generate } from 'selfsigned';

export interface SimCertificate {
  key: string;
  cert: string;
}

let shared: Promise<SimCertificate> | undefined;

export async function generateCertificate(extraNames: string[] = []): Promise<SimCertificate> {
  const now = Date.now();
  const names = ['localhost', ...extraNames.filter((n) => !/^[0-9.:]+$/.test(n))];
  const ips = ['127.0.0.1', '::1', ...extraNames.filter((n) => /^[0-9.:]+$/.test(n))];
  const pems = await generate(
    [
      { name: 'commonName', value: 'aivero simulator' },
      { name: 'organizationName', value: 'aivero simulator' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + 3650 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
        {
          name: 'subjectAltName',
          altNames: [
            ...names.map((value) => ({ type: 2 as const, value })),
            ...ips.map((ip) => ({ type: 7 as const, ip })),
          ],
        },
      ],
    },
  );
  return { key: pems.private, cert: pems.cert };
}

/** One certificate per process for simulators on loopback (generation costs a little). */
export function sharedCertificate(): Promise<SimCertificate> {
  shared ??= generateCertificate();
  shared.catch(() => (shared = undefined));
  return shared;
}
