/**
 * motif-server's fields: the table the runtime reads (and the editor takes its defaults from), and
 * the checks a table can not express (a host without scheme or spaces, a SHA-256 pin, a PEM CA, an
 * API key that can be sent in a header). Every problem is a ConfigError naming the field, raised
 * before any connection is attempted.
 */
import { X509Certificate } from 'node:crypto';
import type { MotifTls } from '../../src/backends/motif';
import { ConfigError } from '../../src/common/errors';
import { field, readConfig, type FieldValues } from '../../src/kit/fields';
import { apiKeyProblem, fingerprintProblem, hostProblem, pemProblem } from '../../src/common/formats';

export const TLS_MODES = ['fingerprint', 'ca', 'insecure'] as const;

export const FIELDS = {
  name: field.name(),
  host: field.text({ label: 'host', default: '127.0.0.1', maxLength: 253 }),
  port: field.number({ label: 'port', default: 6083, min: 1, max: 65535, integer: true }),
  tlsMode: field.text({ label: 'TLS trust', default: 'fingerprint', choices: TLS_MODES }),
  /** Empty: loopbio's published server certificate. */
  fingerprint: field.text({ label: 'certificate fingerprint', default: '', maxLength: 200 }),
  ca: field.text({ label: 'CA certificate', default: '', maxLength: 100_000 }),
  /** Seconds per call. */
  timeout: field.number({ label: 'timeout', default: 10, min: 0.1, max: 3600 }),
};

export const CREDENTIAL_FIELDS = {
  apiKey: field.text({ label: 'API key', default: '', maxLength: 256, required: true }),
};

export const CREDENTIALS = { apiKey: { type: 'password' } } as const;

const WHERE = 'motif-server';

export interface ServerSettings {
  host: string;
  port: number;
  tls: MotifTls;
  timeoutMs: number;
  apiKey: string;
  /** host:port as users see it (IPv6 in brackets). */
  address: string;
}

function fail(name: string, label: string, problem: string): never {
  throw new ConfigError(`${WHERE}: ${label} ${problem}`, name, `invalid ${label}`);
}

/** A host name or IP address (the shared rule); IPv6 literals are dialled without brackets. */
function checkHost(host: string): string {
  const problem = hostProblem(host);
  if (problem !== null) {
    const shown = host.length > 60 ? `${host.slice(0, 60)}…` : host;
    fail('host', 'host', `"${shown}" is not valid: ${problem}`);
  }
  return host.replace(/^\[(.*)\]$/, '$1');
}

function checkTls(values: FieldValues<typeof FIELDS>): MotifTls {
  switch (values.tlsMode) {
    case 'insecure':
      return { mode: 'insecure' };
    case 'ca': {
      if (!values.ca) fail('ca', 'CA certificate', 'is required when TLS trust is "CA certificate"');
      const problem = pemProblem(values.ca);
      if (problem !== null) fail('ca', 'CA certificate', problem);
      try {
        new X509Certificate(values.ca);
      } catch {
        fail('ca', 'CA certificate', 'is not a readable PEM certificate');
      }
      return { mode: 'ca', ca: values.ca };
    }
    default: {
      if (!values.fingerprint) return { mode: 'fingerprint' };
      const problem = fingerprintProblem(values.fingerprint);
      if (problem !== null) fail('fingerprint', 'certificate fingerprint', problem);
      return { mode: 'fingerprint', fingerprint: values.fingerprint };
    }
  }
}

/** The whole configuration, checked; throws the first ConfigError. */
export function readServerSettings(
  config: Readonly<Record<string, unknown>>,
  credentials: Readonly<Record<string, unknown>> | undefined,
): ServerSettings {
  const values = readConfig(FIELDS, config, WHERE);
  const host = checkHost(values.host);
  const tls = checkTls(values);
  const port = values.port ?? 6083;
  const { apiKey } = readConfig(CREDENTIAL_FIELDS, credentials ?? {}, WHERE);
  // Checked here so that neither undici nor an error text ever sees the key.
  const keyProblem = apiKeyProblem(apiKey);
  if (keyProblem !== null) fail('apiKey', 'API key', keyProblem);
  return {
    host,
    port,
    tls,
    timeoutMs: Math.round((values.timeout ?? 10) * 1000),
    apiKey,
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
  };
}
